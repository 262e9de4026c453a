// Live-only edits: fields a human added live that desired never declares (kubectl edit/patch/label).
// Peers ignore them (they survive the merge); a breakglass capture must find them.
import type { Attribution, FieldPath } from '../k8s/fieldsV1';
import { isObject } from '../k8s/json';
import { listTypeAt, type ListTypeResolver } from '../k8s/listKeys';
import { formatPath, schemaPathOf } from './formatPath';
import { indexItems } from './listItems';
import type { FieldChangeEx } from './changes';
import { deepEquivalent, type EquivalenceContext } from './equivalence';

export interface LiveOnlyContext extends EquivalenceContext {
  resolver?: ListTypeResolver;
  /** Who last wrote a live path (from live managedFields, see fieldsV1.attributor). */
  attribute: (path: FieldPath) => Attribution | undefined;
  isHuman: (manager: string | undefined) => boolean;
}

/**
 * Walks normalized live against normalized desired and reports the outermost human-owned undeclared nodes.
 * `defaulted` is desired after server defaulting: a live value equal to the default is not a hand edit even
 * when the creating manager (often `kubectl-client-side-apply`) is recorded as its owner.
 */
export function findLiveOnly(
  desired: unknown,
  defaulted: unknown,
  live: unknown,
  ctx: LiveOnlyContext,
  path: FieldPath = [],
  schema: string[] = schemaPathOf(path), // carried along rather than recomputed at every node
): FieldChangeEx[] {
  if (live === undefined) return [];
  const undeclared = desired === undefined && path.length > 0;
  if (undeclared && defaulted !== undefined && deepEquivalent(schema, defaulted, live, ctx)) return [];
  if (undeclared) {
    const who = ctx.attribute(path);
    if (who && ctx.isHuman(who.manager)) return [{ path: formatPath(path), fieldPath: path, category: 'live-only', live, manager: who.manager, time: who.time }];
  }
  const found: FieldChangeEx[] = [];
  let children = 0;
  if (isObject(live)) {
    if (desired !== undefined && !isObject(desired)) return [];
    const d = isObject(desired) ? desired : undefined;
    const dd = isObject(defaulted) ? defaulted : undefined;
    children = Object.keys(live).length;
    for (const [k, v] of Object.entries(live)) found.push(...findLiveOnly(d?.[k], dd?.[k], v, ctx, [...path, { field: k }], [...schema, k]));
  } else if (Array.isArray(live)) {
    const lt = listTypeAt(ctx.group, ctx.kind, schema, ctx.resolver, ctx.schemas);
    if (lt.type === 'atomic' || (desired !== undefined && !Array.isArray(desired))) return [];
    const di = Array.isArray(desired) ? indexItems(desired, lt) : new Map<string, { item: unknown }>();
    const ddi = Array.isArray(defaulted) ? indexItems(defaulted, lt) : new Map<string, { item: unknown }>();
    children = live.length;
    for (const [id, l] of indexItems(live, lt)) found.push(...findLiveOnly(di.get(id)?.item, ddi.get(id)?.item, l.item, ctx, [...path, l.el], schema));
  }
  // A node a human added whole (e.g. a container via kubectl apply) is one edit, not one per leaf.
  const whole = undeclared && children > 0 && found.length === children && found.every((c) => c.fieldPath.length === path.length + 1);
  if (whole) return [{ path: formatPath(path), fieldPath: path, category: 'live-only', live, manager: found[0].manager, time: found[0].time }];
  return found;
}
