// Text of the diff editor sides: normalized desired and live from the snapshot (Secret values masked).
import { toDisplayYaml } from '../core/engine/displayYaml';
import { maskSecretForDisplay } from '../core/engine/maskSecret';
import type { SideContentSource } from './diffDocuments';
import type { DriftSession } from './driftSession';

export function createSideContent(session: DriftSession): SideContentSource {
  return {
    async sideText(side, context, ref) {
      const r = session.index.resource({ context, appId: '*', ref });
      if (!r) return undefined;
      const obj = side === 'desired' ? r.diff.desired : r.diff.live;
      return obj ? toDisplayYaml(maskSecretForDisplay(obj)) : `# ${side === 'desired' ? 'Not in Git' : 'Not live in ' + context}\n`;
    },
  };
}
