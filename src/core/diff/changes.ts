// Structural diff live → predicted, naming list items by key (diff-semantics §3.6).
import type { ChangeCategory, FieldChange } from '../model';
import type { FieldPath } from '../k8s/fieldsV1';
import { isObject } from '../k8s/json';
import { listTypeAt, type ListTypeResolver } from '../k8s/listKeys';
import { deepEquivalent, type EquivalenceContext } from './equivalence';
import { formatPath, schemaPathOf } from './formatPath';
import { indexItems } from './listItems';

/** A FieldChange that also carries the structured path (for capture and attribution). */
export interface FieldChangeEx extends FieldChange {
  fieldPath: FieldPath;
}

export interface ChangesContext extends EquivalenceContext {
  resolver?: ListTypeResolver;
}

function change(path: FieldPath, category: ChangeCategory, desired: unknown, live: unknown): FieldChangeEx {
  const c: FieldChangeEx = { path: formatPath(path), fieldPath: path, category };
  if (desired !== undefined) c.desired = desired;
  if (live !== undefined) c.live = live;
  return c;
}

function fieldChanges(p: unknown, l: unknown, k: string, ctx: ChangesContext, path: FieldPath, schema: string[], out: FieldChangeEx[]): void {
  // equal scalars are the common case: skip building their paths
  if (p !== l) out.push(...diffValues(p, l, ctx, [...path, { field: k }], [...schema, k]));
}

/** Changes needed to turn `live` into `predicted`: `missing` (desired adds), `extra` (desired removes), `modified`. */
export function diffValues(predicted: unknown, live: unknown, ctx: ChangesContext, path: FieldPath = [], schema: string[] = schemaPathOf(path)): FieldChangeEx[] {
  if (predicted === undefined && live === undefined) return [];
  // A whole map appearing/disappearing is reported per field (a list item stays one change).
  const byField = path.length === 0 || 'field' in path[path.length - 1];
  if (live === undefined) {
    if (byField && isObject(predicted)) return Object.keys(predicted).flatMap((k) => diffValues(predicted[k], undefined, ctx, [...path, { field: k }], [...schema, k]));
    return [change(path, 'missing', predicted, undefined)];
  }
  if (predicted === undefined) {
    if (byField && isObject(live)) return Object.keys(live).flatMap((k) => diffValues(undefined, live[k], ctx, [...path, { field: k }], [...schema, k]));
    return [change(path, 'extra', undefined, live)];
  }
  if (predicted === live) return [];
  // Maps and keyed lists recurse (equal subtrees yield nothing); deep comparison only where they stop.
  if (isObject(predicted) && isObject(live)) {
    const out: FieldChangeEx[] = [];
    for (const k of Object.keys(predicted)) fieldChanges(predicted[k], Object.hasOwn(live, k) ? live[k] : undefined, k, ctx, path, schema, out);
    for (const k of Object.keys(live)) if (!Object.hasOwn(predicted, k)) fieldChanges(undefined, live[k], k, ctx, path, schema, out);
    return out;
  }
  if (Array.isArray(predicted) && Array.isArray(live)) {
    const lt = listTypeAt(ctx.group, ctx.kind, schema, ctx.resolver, ctx.schemas);
    if (lt.type !== 'atomic') {
      const pi = indexItems(predicted, lt);
      const li = indexItems(live, lt);
      const out: FieldChangeEx[] = [];
      for (const [id, p] of pi) {
        const l = li.get(id);
        if (lt.type === 'set') {
          if (!l) out.push(change([...path, p.el], 'missing', p.item, undefined));
        } else out.push(...diffValues(p.item, l?.item, ctx, [...path, p.el], schema));
      }
      for (const [id, l] of li) if (!pi.has(id)) out.push(change([...path, l.el], 'extra', undefined, l.item));
      const common = (m: Map<string, unknown>, other: Map<string, unknown>) => [...m.keys()].filter((id) => other.has(id)).join('\n');
      if (out.length === 0 && common(pi, li) !== common(li, pi)) out.push(change(path, 'modified', predicted, live)); // order only
      return out;
    }
  }
  return deepEquivalent(schema, predicted, live, ctx) ? [] : [change(path, 'modified', predicted, live)];
}
