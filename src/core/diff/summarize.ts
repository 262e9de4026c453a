import type { DriftSummary, ResourceDiff } from '../model';

export function summarize(diffs: ResourceDiff[]): DriftSummary {
  const s: DriftSummary = { synced: 0, modified: 0, missingLive: 0, extraLive: 0, unknown: 0 };
  for (const d of diffs) {
    if (d.status === 'Synced') s.synced++;
    else if (d.status === 'Modified') s.modified++;
    else if (d.status === 'MissingLive') s.missingLive++;
    else if (d.status === 'ExtraLive') s.extraLive++;
    else s.unknown++;
  }
  return s;
}
