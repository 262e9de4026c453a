// predicted = merge(live, desired) with SSA list semantics and the ownership set O (diff-semantics §3.4).
import { pathKey, type FieldPath } from '../k8s/fieldsV1';
import { clone, isObject, type JsonObject } from '../k8s/json';
import { listTypeAt, mapTypeAt, usesRetainKeys, type ListTypeResolver } from '../k8s/listKeys';
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
  return mergeValue(live, desired, [], '', ctx) as JsonObject;
}

/** pathKey([...path, el]) from pathKey(path) and the element's own key (`f:name`, or an item id from itemElement). */
const childKey = (key: string, el: string): string => (key === '' ? el : `${key}\u0000${el}`);

// A node's path is carried as `schema` (schemaPathOf, for list types) and `key` (pathKey, for ownership):
// both are all the merge needs, so no FieldPath is built per node.
function mergeValue(l: unknown, d: unknown, schema: string[], key: string, ctx: MergeContext): unknown {
  if (isObject(d)) return isObject(l) ? mergeMap(l, d, schema, key, ctx) : clone(d);
  if (Array.isArray(d)) return Array.isArray(l) ? mergeList(l, d, schema, key, ctx) : clone(d);
  // Keep live's spelling of an equivalent value (`1Gi` vs `1024Mi`) so it is not shown as a change.
  if (l !== undefined && !isObject(l) && !Array.isArray(l) && scalarsEqual(schema, d, l, ctx)) return l;
  return d;
}

function mergeMap(l: JsonObject, d: JsonObject, schema: string[], key: string, ctx: MergeContext): JsonObject {
  // x-kubernetes-map-type: atomic (label selectors, Service selector, nodeSelector): the applier's map replaces
  // live's whole, other managers' keys included; equivalent values keep live's spelling.
  if (key !== '' && mapTypeAt(ctx.group, ctx.kind, schema, ctx.schemas) === 'atomic') return isSubset(schema, d, l, ctx) && isSubset(schema, l, d, ctx) ? clone(l) : clone(d);
  // retainKeys structs (volume sources, Deployment strategy): live keys missing from desired are cleared.
  const retain = key !== '' && usesRetainKeys(ctx.group, ctx.kind, schema, ctx.schemas);
  // Live's key order is kept for readability; desired-only keys come last. Own keys only: a field may be
  // called `constructor` (ConfigMap data), which `in` would find on every object.
  const out: JsonObject = {};
  for (const k of Object.keys(l)) {
    if (Object.hasOwn(d, k)) mergeField(l[k], d[k], k, out, schema, key, ctx);
    else if (!retain) {
      const kept = removeOwnedAt(l[k], [...schema, k], childKey(key, `f:${k}`), ctx);
      if (kept !== undefined) out[k] = clone(kept);
    }
  }
  for (const k of Object.keys(d)) if (!Object.hasOwn(l, k)) mergeField(undefined, d[k], k, out, schema, key, ctx);
  return out;
}

function mergeField(lv: unknown, dv: unknown, k: string, out: JsonObject, schema: string[], key: string, ctx: MergeContext): void {
  // N6: a zero scalar in desired and nothing live: the server would not store it either.
  if (lv === undefined && isZeroScalar(dv)) return;
  out[k] = mergeValue(lv, dv, [...schema, k], childKey(key, `f:${k}`), ctx);
}

function mergeList(l: unknown[], d: unknown[], schema: string[], key: string, ctx: MergeContext): unknown[] {
  const lt = listTypeAt(ctx.group, ctx.kind, schema, ctx.resolver, ctx.schemas);
  if (lt.type === 'atomic') {
    // Positional subset: live only adds defaults/status inside the same elements ⇒ desired changes nothing.
    return isSubset(schema, d, l, ctx) ? clone(l) : clone(d);
  }
  const li = indexItems(l, lt);
  const di = indexItems(d, lt);
  const merged = new Map<string, unknown>();
  for (const [id, { item }] of di) {
    const live = li.get(id);
    merged.set(id, lt.type === 'set' ? clone(item) : mergeValue(live?.item, item, schema, childKey(key, id), ctx));
  }
  const keptLive: string[] = [];
  for (const [id, { item }] of li) {
    if (di.has(id)) continue;
    const itemKey = childKey(key, id);
    if (ctx.owned.has(itemKey)) continue;
    const kept = lt.type === 'set' ? item : removeOwnedAt(item, schema, itemKey, ctx);
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
  return removeOwnedAt(v, schemaPathOf(path), pathKey(path), ctx);
}

function removeOwnedAt(v: unknown, schema: string[], key: string, ctx: MergeContext): unknown {
  if (ctx.owned.size === 0) return v;
  if (ctx.owned.has(key)) return undefined;
  if (isObject(v)) {
    const out: JsonObject = {};
    let removed = false;
    for (const [k, cv] of Object.entries(v)) {
      const kept = removeOwnedAt(cv, [...schema, k], childKey(key, `f:${k}`), ctx);
      if (kept === undefined) removed = true;
      else out[k] = kept;
    }
    return removed && Object.keys(out).length === 0 ? undefined : out;
  }
  if (Array.isArray(v)) {
    const lt = listTypeAt(ctx.group, ctx.kind, schema, ctx.resolver, ctx.schemas);
    if (lt.type === 'atomic') return v;
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const kept = removeOwnedAt(item, schema, childKey(key, itemElement(item, i, lt).id), ctx);
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
