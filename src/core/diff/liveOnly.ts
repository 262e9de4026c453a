// Live-only edits: fields a human added live that desired never declares (kubectl edit/patch/label).
// Peers ignore them (they survive the merge); a breakglass capture must find them.
import type { KubeObject } from '../model';
import { managerOf, type FieldPath } from '../k8s/fieldsV1';
import { isObject } from '../k8s/json';
import { listTypeAt, type ListTypeResolver } from '../k8s/listKeys';
import { formatPath, schemaPathOf } from './formatPath';
import { indexItems } from './listItems';
import type { FieldChangeEx } from './changes';

export interface LiveOnlyContext {
  group: string;
  kind: string;
  resolver?: ListTypeResolver;
  /** Live as read, with managedFields. */
  rawLive: KubeObject;
  isHuman: (manager: string | undefined) => boolean;
}

/** Walks normalized live against normalized desired; reports the outermost human-owned undeclared node. */
export function findLiveOnly(desired: unknown, live: unknown, ctx: LiveOnlyContext, path: FieldPath = []): FieldChangeEx[] {
  if (live === undefined) return [];
  if (desired === undefined && path.length > 0) {
    const who = managerOf(ctx.rawLive, path);
    if (who && ctx.isHuman(who.manager)) return [{ path: formatPath(path), fieldPath: path, category: 'live-only', live, manager: who.manager, time: who.time }];
  }
  if (isObject(live)) {
    const d = isObject(desired) ? desired : undefined;
    if (desired !== undefined && !d) return [];
    return Object.entries(live).flatMap(([k, v]) => findLiveOnly(d?.[k], v, ctx, [...path, { field: k }]));
  }
  if (Array.isArray(live)) {
    const lt = listTypeAt(ctx.group, ctx.kind, schemaPathOf(path), ctx.resolver);
    if (lt.type !== 'map') return [];
    const di = Array.isArray(desired) ? indexItems(desired, lt) : new Map();
    if (desired !== undefined && !Array.isArray(desired)) return [];
    return [...indexItems(live, lt)].flatMap(([id, l]) => findLiveOnly(di.get(id)?.item, l.item, ctx, [...path, l.el]));
  }
  return [];
}
