// Lookups in a CompactSchema: the field a path names, and what it declares.
import { FORMAT_CODES, type CompactSchema, type FieldSchema, type ListType, type SchemaNode, type SchemaSource } from './schemaTypes';

const GROUP_VERSIONS_PREFERRED = ['v2', 'v1'];
let instances = 0;

function toField(n: SchemaNode, types: Record<string, SchemaNode>): FieldSchema {
  const t = n.t ? types[n.t] : undefined;
  const out: FieldSchema = {};
  const l = n.l ?? t?.l;
  const list: ListType | undefined = l === 's' ? { type: 'set' } : Array.isArray(l) ? { type: 'map', keys: l, ...((n.d ?? t?.d) ? { keyDefaults: n.d ?? t?.d } : {}) } : undefined;
  if (list) out.list = list;
  const m = n.m ?? t?.m;
  if (m === 1) out.mapType = 'atomic';
  else if (m === 0) out.mapType = 'granular';
  const x = n.x ?? t?.x;
  if (x) out.format = FORMAT_CODES[x];
  if (n.r ?? t?.r) out.retainKeys = true;
  const k = n.k ?? t?.k;
  if (k) out.smpMergeKey = k;
  return out;
}

/** A SchemaSource over one CompactSchema; `versions` orders the versions tried when the caller gives none. */
export class CompactSchemaSource implements SchemaSource {
  private readonly byKind = new Map<string, string[]>();
  private readonly id = ++instances;
  /** fieldAt answers by kind (group, kind, version), then one map level per path segment: no key strings built. */
  private readonly cache = new Map<string, FieldCacheNode>();

  /** `preferred`: `group/Kind` → the version to read when the caller names none (a CRD's storage version). */
  constructor(
    readonly schema: CompactSchema,
    preferred: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const gvk of Object.keys(schema.kinds)) {
      const [group, version, kind] = gvk.split('/');
      const k = `${group}/${kind}`;
      const list = this.byKind.get(k) ?? [];
      list.push(version);
      this.byKind.set(k, list);
    }
    for (const [k, vs] of this.byKind) {
      const first = preferred.get(k);
      vs.sort((a, b) => Number(b === first) - Number(a === first) || rank(a) - rank(b));
    }
  }

  /** Options holding a source are memo keys (JSON): one short identity per instance, not the whole schema. */
  toJSON(): string {
    return `schema#${this.id}:${this.schema.source}`;
  }

  has(group: string, kind: string): boolean {
    return this.byKind.has(`${group}/${kind}`);
  }

  private root(group: string, kind: string, version?: string): SchemaNode | undefined {
    const versions = this.byKind.get(`${group}/${kind}`);
    if (!versions) return undefined;
    const v = version && versions.includes(version) ? version : versions[0];
    const t = this.schema.kinds[`${group}/${v}/${kind}`];
    return t ? { t } : {};
  }

  /** The node at `path`, undefined when the path leaves the schema (or nothing under it matters). */
  nodeAt(group: string, kind: string, path: readonly string[], version?: string): SchemaNode | undefined {
    let n = this.root(group, kind, version);
    for (const field of path) {
      if (!n) return undefined;
      n = step(n, field, this.schema.types);
    }
    return n;
  }

  fieldAt(group: string, kind: string, path: readonly string[], version?: string): FieldSchema | undefined {
    const kindKey = `${group}\u0000${kind}\u0000${version ?? ''}`;
    let c: FieldCacheNode | undefined = this.cache.get(kindKey);
    if (!c) this.cache.set(kindKey, (c = {}));
    for (const field of path) {
      let next: FieldCacheNode | undefined = c.next?.get(field);
      if (!next) (c.next ??= new Map()).set(field, (next = {}));
      c = next;
    }
    if (c.value !== undefined) return c.value ?? undefined;
    const n = this.nodeAt(group, kind, path, version);
    const out = n ? toField(n, this.schema.types) : undefined;
    c.value = out ?? null;
    return out;
  }
}

interface FieldCacheNode {
  /** The answer for the path to this node (null: none), once asked. */
  value?: FieldSchema | null;
  next?: Map<string, FieldCacheNode>;
}

function rank(v: string): number {
  const i = GROUP_VERSIONS_PREFERRED.indexOf(v);
  return i < 0 ? GROUP_VERSIONS_PREFERRED.length : i;
}

/** One path step: through list items, then the named property or the map's value type. */
export function step(n: SchemaNode, field: string, types: Record<string, SchemaNode>): SchemaNode | undefined {
  let cur: SchemaNode | undefined = n;
  const items = (x: SchemaNode) => x.i ?? (x.t ? types[x.t]?.i : undefined);
  for (let it = cur && items(cur); it; it = items(it)) cur = it;
  const t = cur.t ? types[cur.t] : undefined;
  return cur.f?.[field] ?? t?.f?.[field] ?? cur.v ?? t?.v;
}
