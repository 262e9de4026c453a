// predicted = merge(live, desired) with SSA list semantics and the ownership set O (diff-semantics §3.4).
import { pathKey, type FieldPath } from '../k8s/fieldsV1';
import { clone, isObject, type JsonObject } from '../k8s/json';
import { listTypeAt, usesRetainKeys, type ListTypeResolver } from '../k8s/listKeys';
import { isSubset, isZeroScalar, scalarsEqual, type EquivalenceContext } from './equivalence';
import { schemaPathOf } from './formatPath';
import { indexItems, itemElement } from './listItems';

export interface MergeContext extends EquivalenceContext {
  /** pathKey()s of fields the applier owned; absent from desired ⇒ removed. */
  owned: Set<string>;
  resolver?: ListTypeResolver;
}

/** The result shares no object or array with `live` or `desired`, so callers may change it in place. */
export function mergeObjects(live: JsonObject, desired: JsonObject, ctx: MergeContext): JsonObject {
  return mergeValue(live, desired, [], [], ctx) as JsonObject;
}

// `schema` is schemaPathOf(path), carried along instead of recomputed at every node.
function mergeValue(l: unknown, d: unknown, path: FieldPath, schema: string[], ctx: MergeContext): unknown {
  if (isObject(d)) return isObject(l) ? mergeMap(l, d, path, schema, ctx) : clone(d);
  if (Array.isArray(d)) return Array.isArray(l) ? mergeList(l, d, path, schema, ctx) : clone(d);
  // Keep live's spelling of an equivalent value (`1Gi` vs `1024Mi`) so it is not shown as a change.
  if (l !== undefined && !isObject(l) && !Array.isArray(l) && scalarsEqual(schema, d, l, ctx)) return l;
  return d;
}

function mergeMap(l: JsonObject, d: JsonObject, path: FieldPath, schema: string[], ctx: MergeContext): JsonObject {
  // retainKeys structs (volume sources, Deployment strategy): live keys missing from desired are cleared.
  const retain = path.length > 0 && usesRetainKeys(ctx.group, ctx.kind, schema);
  const out: JsonObject = {};
  for (const [k, lv] of Object.entries(l)) {
    if (k in d) continue;
    if (retain) continue;
    const kept = removeOwned(lv, [...path, { field: k }], ctx);
    if (kept !== undefined) out[k] = clone(kept);
  }
  for (const [k, dv] of Object.entries(d)) {
    // N6: a zero scalar in desired and nothing live: the server would not store it either.
    if (l[k] === undefined && isZeroScalar(dv)) continue;
    out[k] = mergeValue(l[k], dv, [...path, { field: k }], [...schema, k], ctx);
  }
  // Preserve live's key order for readability; desired-only keys come last.
  const ordered: JsonObject = {};
  for (const k of [...Object.keys(l), ...Object.keys(d)]) if (k in out && !(k in ordered)) ordered[k] = out[k];
  return ordered;
}

function mergeList(l: unknown[], d: unknown[], path: FieldPath, schema: string[], ctx: MergeContext): unknown[] {
  const lt = listTypeAt(ctx.group, ctx.kind, schema, ctx.resolver);
  if (lt.type === 'atomic') {
    // Positional subset: live only adds defaults/status inside the same elements ⇒ desired changes nothing.
    return isSubset(schema, d, l, ctx) ? clone(l) : clone(d);
  }
  const li = indexItems(l, lt);
  const di = indexItems(d, lt);
  const merged = new Map<string, unknown>();
  for (const [id, { item, el }] of di) {
    const live = li.get(id);
    merged.set(id, lt.type === 'set' ? clone(item) : mergeValue(live?.item, item, [...path, el], schema, ctx));
  }
  const keptLive: string[] = [];
  for (const [id, { item, el }] of li) {
    if (di.has(id)) continue;
    const p = [...path, el];
    if (ctx.owned.has(pathKey(p))) continue;
    const kept = lt.type === 'set' ? item : removeOwned(item, p, ctx);
    if (kept !== undefined && !(lt.type === 'map' && onlyKeysLeft(item, kept, lt.keys))) {
      merged.set(id, clone(kept));
      keptLive.push(id);
    }
  }
  const liveOrder = [...li.keys()].filter((id) => di.has(id));
  const desiredOrder = [...di.keys()].filter((id) => li.has(id));
  if (liveOrder.join('\n') !== desiredOrder.join('\n')) {
    // Common items reordered by desired: a real change (env order matters for $(VAR)); take desired's order.
    return [...di.keys(), ...keptLive].map((id) => merged.get(id));
  }
  // Keep live's order; insert desired-only items after their desired predecessor.
  const order = [...li.keys()].filter((id) => merged.has(id));
  let prev: string | undefined;
  for (const id of di.keys()) {
    if (!li.has(id)) order.splice(prev === undefined ? 0 : order.indexOf(prev) + 1, 0, id);
    prev = id;
  }
  return order.map((id) => merged.get(id));
}

/** Live value minus the fields the applier owned (desired dropped them); undefined when nothing remains. */
export function removeOwned(v: unknown, path: FieldPath, ctx: MergeContext): unknown {
  if (ctx.owned.has(pathKey(path))) return undefined;
  if (ctx.owned.size === 0) return v;
  if (isObject(v)) {
    const out: JsonObject = {};
    let removed = false;
    for (const [k, cv] of Object.entries(v)) {
      const kept = removeOwned(cv, [...path, { field: k }], ctx);
      if (kept === undefined) removed = true;
      else out[k] = kept;
    }
    return removed && Object.keys(out).length === 0 ? undefined : out;
  }
  if (Array.isArray(v)) {
    const lt = listTypeAt(ctx.group, ctx.kind, schemaPathOf(path), ctx.resolver);
    if (lt.type === 'atomic') return v;
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const kept = removeOwned(item, [...path, itemElement(item, i, lt).el], ctx);
      if (kept !== undefined && !(lt.type === 'map' && onlyKeysLeft(item, kept, lt.keys))) out.push(kept);
    });
    return out;
  }
  return v;
}

/** An item whose owned fields were all removed and only its key survives (co-owned key) is gone too. */
function onlyKeysLeft(before: unknown, after: unknown, keys: string[]): boolean {
  if (!isObject(before) || !isObject(after)) return false;
  const rest = Object.keys(after);
  return rest.length < Object.keys(before).length && rest.every((k) => keys.includes(k));
}
