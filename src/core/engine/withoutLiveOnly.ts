// The Git side of a diff editor: the predicted object (desired applied onto live) keeps fields only live has,
// because applying Git would not remove them. A person comparing Git with live must see those hand edits, so
// they are taken out of the Git side.
import type { KubeObject } from '../model';
import type { FieldChangeEx } from '../diff/changes';
import { resolveFieldPath } from '../diff/ignore';

export function withoutLiveOnly(desired: KubeObject | undefined, changes: readonly FieldChangeEx[]): KubeObject | undefined {
  const liveOnly = changes.filter((c) => c.category === 'live-only' && c.fieldPath);
  if (!desired || !liveOnly.length) return desired;
  const out = structuredClone(desired);
  // Deepest and last items first, so removing one does not shift the indices of the next.
  const paths = liveOnly.map((c) => resolveFieldPath(out, c.fieldPath)).filter((p): p is (string | number)[] => !!p && p.length > 0);
  paths.sort((a, b) => b.length - a.length || compare(b, a));
  for (const p of paths) {
    let parent: any = out;
    for (const k of p.slice(0, -1)) parent = parent?.[k];
    const last = p[p.length - 1];
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (parent && typeof parent === 'object') delete parent[last];
  }
  return out;
}

function compare(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return typeof a[i] === 'number' && typeof b[i] === 'number' ? (a[i] as number) - (b[i] as number) : String(a[i]).localeCompare(String(b[i]));
  }
  return a.length - b.length;
}
