// A set of field paths (what one manager owns), its FieldsV1 form in the apiserver's order, and path strings.
import { canonicalJson } from '../util/json';
import { fieldsToPaths, pathKey, type FieldPath, type PathElement } from '../util/fieldsV1';

export type { FieldPath, PathElement };

export class FieldSet {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  static fromFieldsV1(fieldsV1: unknown): FieldSet {
    return new FieldSet(fieldsToPaths(fieldsV1));
  }

  /** Keys are computed once per path; set algebra below reuses them. */
  private static fromEntries(entries: Iterable<[string, FieldPath]>): FieldSet {
    const s = new FieldSet();
    for (const [k, p] of entries) s.paths.set(k, p);
    return s;
  }

  insert(p: FieldPath): void {
    this.paths.set(pathKey(p), p);
  }

  has(p: FieldPath): boolean {
    return this.paths.has(pathKey(p));
  }

  get size(): number {
    return this.paths.size;
  }

  isEmpty(): boolean {
    return this.paths.size === 0;
  }

  toArray(): FieldPath[] {
    return [...this.paths.values()].sort(comparePaths);
  }

  union(...others: FieldSet[]): FieldSet {
    const out = FieldSet.fromEntries(this.paths);
    for (const o of others) for (const [k, p] of o.paths) out.paths.set(k, p);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.fromEntries([...this.paths].filter(([k]) => !other.paths.has(k)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.fromEntries([...this.paths].filter(([k]) => other.paths.has(k)));
  }

  /** A test for "this set has `p` or a path below it", built once (every prefix of every member indexed). */
  coverage(): (p: FieldPath) => boolean {
    const prefixes = new Set<string>();
    for (const k of this.paths.keys()) {
      const parts = k.split('\u0000');
      for (let i = 1; i <= parts.length; i++) prefixes.add(parts.slice(0, i).join('\u0000'));
    }
    return (p) => prefixes.has(pathKey(p));
  }

  /** Drops every path at or below one of `prefixes` (fields the server does not track). */
  withoutPrefixes(prefixes: FieldPath[]): FieldSet {
    const ks = prefixes.map(pathKey);
    return FieldSet.fromEntries([...this.paths].filter(([k]) => !ks.some((p) => k === p || k.startsWith(p + '\u0000'))));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this.paths.keys()].every((k) => other.paths.has(k));
  }

  /** FieldsV1 trie as the apiserver writes it: `.` first, then fields, keys, values, indexes, each sorted. */
  toFieldsV1(): Record<string, unknown> {
    type Node = { self: boolean; kids: Map<string, { el: PathElement; node: Node }> };
    // Children are keyed (and sorted) by their FieldsV1 key, computed once per element.
    const root: Node = { self: false, kids: new Map() };
    for (const p of this.paths.values()) {
      let n = root;
      for (const el of p) {
        const k = elementKey(el);
        let next = n.kids.get(k);
        if (!next) {
          next = { el, node: { self: false, kids: new Map() } };
          n.kids.set(k, next);
        }
        n = next.node;
      }
      n.self = true;
    }
    const emit = (n: Node): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (n.self && n.kids.size > 0) out['.'] = {};
      const kids = [...n.kids.entries()].sort(([ka, a], [kb, b]) => rank(a.el) - rank(b.el) || ('index' in a.el && 'index' in b.el ? a.el.index - b.el.index : ka < kb ? -1 : ka > kb ? 1 : 0));
      for (const [k, { node }] of kids) out[k] = emit(node);
      return out;
    };
    return emit(root);
  }
}

/** The FieldsV1 key of one element (`f:name`, `k:{"name":"app"}` with sorted key fields, `v:…`, `i:…`). */
export function elementKey(el: PathElement): string {
  if ('field' in el) return `f:${el.field}`;
  if ('key' in el) return `k:${canonicalJson(el.key)}`;
  if ('value' in el) return `v:${canonicalJson(el.value)}`;
  return `i:${el.index}`;
}

function rank(el: PathElement): number {
  return 'field' in el ? 0 : 'key' in el ? 1 : 'value' in el ? 2 : 3;
}

function compareElements(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if ('index' in a && 'index' in b) return a.index - b.index;
  const x = elementKey(a);
  const y = elementKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Path as the apiserver prints it in conflicts: `.spec.template.spec.containers[name="app"].image`. */
export function pathToString(p: FieldPath): string {
  return p
    .map((el) => {
      if ('field' in el) return `.${el.field}`;
      if ('key' in el) return `[${Object.keys(el.key).sort().map((k) => `${k}=${JSON.stringify(el.key[k])}`).join(',')}]`;
      if ('value' in el) return `[=${JSON.stringify(el.value)}]`;
      return `[${el.index}]`;
    })
    .join('');
}
