// Text of the diff editor sides: normalized desired and live from the snapshot, or the raw live object fetched
// fresh from the cluster (Secret values masked either way).
import type * as vscode from 'vscode';
import { toDisplayYaml } from '../core/engine/displayYaml';
import { maskSecretForDisplay } from '../core/engine/maskSecret';
import type { KubeObject } from '../core/model';
import type { SideContentSource } from './diffDocuments';
import type { DriftSession } from './driftSession';
import { toAbortSignal } from './errors';

export function createSideContent(session: DriftSession): SideContentSource {
  return {
    async sideText(side, context, ref, token: vscode.CancellationToken) {
      if (side === 'raw') {
        const obj = await session.client(context).get(ref, toAbortSignal(token));
        return toDisplayYaml(maskSecretForDisplay(obj as KubeObject));
      }
      const r = session.index.resource({ context, appId: '*', ref });
      if (!r) return undefined;
      const obj = side === 'desired' ? r.diff.desired : r.diff.live;
      return obj ? toDisplayYaml(maskSecretForDisplay(obj)) : `# ${side === 'desired' ? 'Not in Git' : 'Not live in ' + context}\n`;
    },
  };
}
