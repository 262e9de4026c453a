// SMD Merge of an applied configuration into the live object, and removal of pruned paths.
import { elementKey, type FieldPath, type PathElement } from './fieldSet';
import { clone, isObject } from '../util/json';
import { isAtomicMap, listTypeOf, type TypeContext } from './schemaInfo';
import { indexItems, sameElement, schemaPath } from './typedWalk';

/** Config wins on leaves; maps merge; granular lists merge item by key in the order structured-merge-diff uses. */
export function mergeApplied(ctx: TypeContext, live: unknown, config: unknown): unknown {
  const node = (l: unknown, r: unknown, path: FieldPath): unknown => {
    const sp = schemaPath(path);
    if (isObject(r) && (path.length === 0 || !isAtomicMap(ctx, sp))) {
      const out: Record<string, unknown> = isObject(l) ? clone(l) : {};
      for (const [k, v] of Object.entries(r)) out[k] = node(out[k], v, [...path, { field: k }]);
      return out;
    }
    if (Array.isArray(r) && listTypeOf(ctx, sp).type !== 'atomic') {
      const lt = listTypeOf(ctx, sp);
      const out = indexItems(Array.isArray(l) ? l : [], lt).map((x) => ({ key: elementKey(x.el), el: x.el, item: x.item }));
      const ri = indexItems(r, lt).map((x) => ({ key: elementKey(x.el), ...x }));
      const inLive = new Set(out.map((o) => o.key));
      // nextShared[i]: the first applied item after i that the live list has (new items are placed before it).
      const nextShared: (string | undefined)[] = [];
      for (let i = ri.length - 1, next: string | undefined; i >= 0; i--) {
        nextShared[i] = next;
        if (inLive.has(ri[i].key)) next = ri[i].key;
      }
      ri.forEach((x, i) => {
        const at = inLive.has(x.key) ? out.findIndex((o) => o.key === x.key) : -1;
        if (at >= 0) {
          out[at].item = node(out[at].item, x.item, [...path, x.el]);
          return;
        }
        const anchor = nextShared[i];
        const pos = anchor !== undefined ? out.findIndex((o) => o.key === anchor) : out.length;
        out.splice(pos, 0, { key: x.key, el: x.el, item: node(undefined, x.item, [...path, x.el]) });
      });
      return out.map((o) => o.item);
    }
    return clone(r);
  };
  return node(live, config, []);
}

/** Removes each path from `obj` (in place); maps left empty by a removal go too. */
export function removePaths(ctx: TypeContext, obj: Record<string, unknown>, paths: FieldPath[]): void {
  for (const p of [...paths].sort((a, b) => a.length - b.length)) removeOne(ctx, obj, p);
}

function removeOne(ctx: TypeContext, root: Record<string, unknown>, p: FieldPath): void {
  const parents: { container: unknown; el: PathElement }[] = [];
  let cur: unknown = root;
  for (let i = 0; i < p.length; i++) {
    parents.push({ container: cur, el: p[i] });
    const next = child(ctx, cur, p.slice(0, i), p[i]);
    if (next === undefined) return;
    cur = next.value;
  }
  for (let i = parents.length - 1; i >= 0; i--) {
    const { container, el } = parents[i];
    const c = child(ctx, container, p.slice(0, i), el);
    if (!c) return;
    if (Array.isArray(container)) container.splice(c.index, 1);
    else delete (container as Record<string, unknown>)[(el as { field: string }).field];
    const emptied = isObject(container) ? Object.keys(container).length === 0 : Array.isArray(container) && container.length === 0;
    if (i === 0 || !emptied || Array.isArray(container)) return;
  }
}

function child(ctx: TypeContext, container: unknown, prefix: FieldPath, el: PathElement): { value: unknown; index: number } | undefined {
  if ('field' in el) return isObject(container) && el.field in container ? { value: container[el.field], index: -1 } : undefined;
  if (!Array.isArray(container)) return undefined;
  const items = indexItems(container, listTypeOf(ctx, schemaPath(prefix)));
  const index = items.findIndex((x) => sameElement(x.el, el));
  return index < 0 ? undefined : { value: container[index], index };
}
