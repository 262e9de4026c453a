// JSON patch ops removing the fields a FieldsV1 set names that the desired object does not declare:
// what a server does at the next apply once those fields were handed over to the applier.
// Used only when a server ignores a managedFields write (the real API server honours it).
import { isPlainObject, stableStringify } from './object-compare';

type Op = { op: 'remove'; path: string };

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function matches(item: unknown, key: Record<string, unknown>): boolean {
  return isPlainObject(item) && Object.entries(key).every(([k, v]) => String(item[k]) === String(v));
}

export function removalOps(fields: Record<string, any>, live: unknown, desired: unknown, at = ''): Op[] {
  const ops: Op[] = [];
  const arrayRemovals: number[] = [];
  for (const [k, sub] of Object.entries(fields)) {
    if (k === '.') continue;
    if (k.startsWith('f:') && isPlainObject(live)) {
      const name = k.slice(2);
      if (!(name in live)) continue;
      const want = isPlainObject(desired) ? desired[name] : undefined;
      if (want === undefined) ops.push({ op: 'remove', path: `${at}/${esc(name)}` });
      else if (isPlainObject(sub) && Object.keys(sub).some((x) => x !== '.')) ops.push(...removalOps(sub, live[name], want, `${at}/${esc(name)}`));
    } else if ((k.startsWith('k:') || k.startsWith('v:')) && Array.isArray(live)) {
      const parsed = JSON.parse(k.slice(2));
      const isKey = k.startsWith('k:');
      const i = live.findIndex((item) => (isKey ? matches(item, parsed) : stableStringify(item) === stableStringify(parsed)));
      if (i < 0) continue;
      const want = Array.isArray(desired) ? desired.find((d) => (isKey ? matches(d, parsed) : stableStringify(d) === stableStringify(parsed))) : undefined;
      if (want === undefined) arrayRemovals.push(i);
      else if (isPlainObject(sub)) ops.push(...removalOps(sub, live[i], want, `${at}/${i}`));
    }
  }
  // Highest index first, so earlier removals do not shift later ones.
  for (const i of arrayRemovals.sort((a, b) => b - a)) ops.push({ op: 'remove', path: `${at}/${i}` });
  return ops;
}
