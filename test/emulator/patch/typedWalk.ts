// Schema-aware walks over plain JSON objects, after structured-merge-diff: the field set of an applied
// configuration, and the added/modified/removed comparison the apiserver derives Update ownership from.
import { elementKey, FieldSet, type FieldPath, type PathElement } from './fieldSet';
import { deepEqual, isObject } from '../util/json';
import { isAtomicMap, listTypeOf, type ListType, type TypeContext } from './schemaInfo';

/** Field names only (list items dropped): what listKeys and the atomic-map table are keyed by. */
export function schemaPath(p: FieldPath): string[] {
  return p.flatMap((el) => ('field' in el ? [el.field] : []));
}

/** The element naming `item` in a list: `k:{…}` for list maps (with key defaults), `v:` for sets, else `i:`. */
export function itemElement(item: unknown, index: number, lt: ListType): PathElement {
  if (lt.type === 'set') return { value: item };
  if (lt.type === 'map' && isObject(item)) {
    const key: Record<string, unknown> = {};
    for (const k of lt.keys) {
      const v = item[k] ?? lt.keyDefaults?.[k];
      if (v !== undefined) key[k] = v;
    }
    if (Object.keys(key).length > 0) return { key };
  }
  return { index };
}

export function sameElement(a: PathElement, b: PathElement): boolean {
  return elementKey(a) === elementKey(b);
}

/** List items by their element's FieldsV1 key (first wins on duplicates), for linear-time matching. */
export function byElement(items: { el: PathElement; item: unknown }[]): Map<string, { el: PathElement; item: unknown }> {
  const m = new Map<string, { el: PathElement; item: unknown }>();
  for (const x of items) {
    const k = elementKey(x.el);
    if (!m.has(k)) m.set(k, x);
  }
  return m;
}

type Kind = 'map' | 'list' | 'leaf';

/** The schema path is only worked out for maps and lists: most nodes are scalars. */
function kindOf(ctx: TypeContext, v: unknown, path: FieldPath): Kind {
  if (path.length === 0) return 'map';
  if (isObject(v)) return isAtomicMap(ctx, schemaPath(path)) ? 'leaf' : 'map';
  if (Array.isArray(v)) return listTypeOf(ctx, schemaPath(path)).type === 'atomic' ? 'leaf' : 'list';
  return 'leaf';
}

/** Items of a granular list keyed by their element, in list order. */
export function indexItems(list: unknown[], lt: ListType): { el: PathElement; item: unknown }[] {
  return list.map((item, i) => ({ el: itemElement(item, i, lt), item }));
}

/** Field set of an applied configuration (SMD ToFieldSet): leaves, empty maps, and every list item. */
export function toFieldSet(ctx: TypeContext, obj: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, path: FieldPath): void => {
    const kind = kindOf(ctx, v, path);
    if (kind === 'leaf') {
      set.insert(path);
    } else if (kind === 'map') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0 && path.length > 0) set.insert(path);
      for (const [k, child] of entries) walk(child, [...path, { field: k }]);
    } else {
      for (const { el, item } of indexItems(v as unknown[], listTypeOf(ctx, schemaPath(path)))) {
        const p = [...path, el];
        set.insert(p);
        if (isObject(item)) walk(item, p);
      }
    }
  };
  walk(obj, []);
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function isSame(c: Comparison): boolean {
  return c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();
}

/**
 * SMD Compare: leaves (scalars, atomic lists/maps) are added/removed/modified; a map entry or list item that
 * appears or disappears is itself added/removed (hence `.` on new maps), and walks below it either way.
 */
export function compare(ctx: TypeContext, lhs: unknown, rhs: unknown): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const node = (l: unknown, r: unknown, path: FieldPath): void => {
    // null counts as present (no `.` when it gets filled: Go zero values hold `containers: null`) but has no kind.
    const lk = l === undefined || l === null ? undefined : kindOf(ctx, l, path);
    const rk = r === undefined || r === null ? undefined : kindOf(ctx, r, path);
    const k = rk ?? lk;
    if (k === undefined || k === 'leaf' || (lk !== undefined && rk !== undefined && lk !== rk)) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!deepEqual(l, r)) c.modified.insert(path);
      return;
    }
    if (k === 'map') {
      const lm = (l ?? {}) as Record<string, unknown>;
      const rm = (r ?? {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
        item(lm[key], rm[key], [...path, { field: key }], key in lm, key in rm);
      }
      return;
    }
    const lt = listTypeOf(ctx, schemaPath(path));
    const li = byElement(indexItems((l ?? []) as unknown[], lt));
    const ri = byElement(indexItems((r ?? []) as unknown[], lt));
    for (const [k, { el }] of new Map([...li, ...ri])) {
      const a = li.get(k);
      const b = ri.get(k);
      item(a?.item, b?.item, [...path, el], a !== undefined, b !== undefined);
    }
  };
  const item = (l: unknown, r: unknown, path: FieldPath, inL: boolean, inR: boolean): void => {
    node(inL ? l : undefined, inR ? r : undefined, path);
    if (!inL && inR) c.added.insert(path);
    else if (inL && !inR) c.removed.insert(path);
  };
  node(lhs, rhs, []);
  return c;
}
