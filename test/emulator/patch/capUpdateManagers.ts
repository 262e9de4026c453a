// capManagersManager: at most 10 Update entries; the oldest are merged per apiVersion into "ancient-changes".
import { managerId, type ManagerState } from './managedFieldsEntries';

export const MAX_UPDATE_MANAGERS = 10;
const BUCKET = 'ancient-changes';

function seconds(t: string | undefined): number {
  const n = t ? Date.parse(t) : NaN;
  return Number.isNaN(n) ? 0 : Math.floor(n / 1000);
}

/** Mutates `states` as the apiserver does after every write. */
export function capUpdateManagers(states: Map<string, ManagerState>, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...states.entries()].filter(([, s]) => s.operation === 'Update' && !s.set.isEmpty());
  if (updaters.length <= max) return;
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [key, s] of updaters) {
    if (length <= max) break;
    const bucketId = managerId({ manager: BUCKET, operation: 'Update', apiVersion: s.apiVersion });
    const first = firstByVersion.get(s.apiVersion);
    if (first === undefined) {
      firstByVersion.set(s.apiVersion, key);
      continue;
    }
    if (!states.has(bucketId)) {
      const f = states.get(first)!;
      states.delete(first);
      states.set(bucketId, { ...f, manager: BUCKET, subresource: undefined });
    }
    const bucket = states.get(bucketId)!;
    bucket.set = bucket.set.union(s.set);
    bucket.time = s.time;
    states.delete(key);
    length--;
  }
}
