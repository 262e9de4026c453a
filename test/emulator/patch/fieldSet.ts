// A set of field paths (what one manager owns), its FieldsV1 form in the apiserver's order, and path strings.
import { canonicalJson } from '../../../src/core/k8s/json';
import { fieldsToPaths, pathKey, type FieldPath, type PathElement } from '../../../src/core/k8s/fieldsV1';

export type { FieldPath, PathElement };

export class FieldSet {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  static fromFieldsV1(fieldsV1: unknown): FieldSet {
    return new FieldSet(fieldsToPaths(fieldsV1));
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
    const out = new FieldSet(this.paths.values());
    for (const o of others) for (const p of o.paths.values()) out.insert(p);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    return new FieldSet([...this.paths.entries()].filter(([k]) => !other.paths.has(k)).map(([, p]) => p));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet([...this.paths.entries()].filter(([k]) => other.paths.has(k)).map(([, p]) => p));
  }

  /** Paths equal to or below `prefix`. */
  hasPrefixOf(prefix: FieldPath): boolean {
    const k = pathKey(prefix);
    for (const key of this.paths.keys()) if (key === k || key.startsWith(k + '\u0000')) return true;
    return false;
  }

  /** Drops every path at or below one of `prefixes` (fields the server does not track). */
  withoutPrefixes(prefixes: FieldPath[]): FieldSet {
    const ks = prefixes.map(pathKey);
    return new FieldSet([...this.paths.entries()].filter(([k]) => !ks.some((p) => k === p || k.startsWith(p + '\u0000'))).map(([, p]) => p));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this.paths.keys()].every((k) => other.paths.has(k));
  }

  /** FieldsV1 trie as the apiserver writes it: `.` first, then fields, keys, values, indexes, each sorted. */
  toFieldsV1(): Record<string, unknown> {
    type Node = { self: boolean; kids: Map<string, { el: PathElement; node: Node }> };
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
      const kids = [...n.kids.values()].sort((a, b) => compareElements(a.el, b.el));
      for (const { el, node } of kids) out[elementKey(el)] = emit(node);
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
