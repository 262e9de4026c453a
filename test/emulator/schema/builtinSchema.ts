// What the real kube-apiserver knows about the fields of its built-in kinds, read from its own OpenAPI v3 documents
// (test/fixtures/kubernetes-openapi-v3/, copied verbatim from kubernetes/kubernetes v1.37.2). Documents are read
// on first use and every answer is cached. The rules follow k8s.io/kube-openapi pkg/schemaconv (how the apiserver
// turns these documents into structured-merge-diff types) and apimachinery strategicpatch (patch meta).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** SSA element relationship of a list: associative by key fields (with the keys' declared defaults), set, or atomic. */
export type ListType =
  | { type: 'map'; keys: string[]; keyDefaults?: Record<string, unknown> }
  | { type: 'set' }
  | { type: 'atomic' };

/** What the schema declares for one field (path of field names from the object root; list items are skipped). */
export interface FieldInfo {
  /** OpenAPI type of the field's schema after resolving `$ref` (`object`, `array`, `string`…; undefined = untyped). */
  type?: string;
  /** Lists: SMD element relationship (x-kubernetes-list-type, else the patch strategy, else atomic). */
  listType?: ListType;
  /** `x-kubernetes-patch-strategy`, split on commas (`merge`, `retainKeys`, `replace`). */
  patchStrategy: string[];
  /** `x-kubernetes-patch-merge-key`. */
  patchMergeKey?: string;
  /** Maps and structs: `x-kubernetes-map-type` (field override first, then the type's own). */
  mapType?: 'atomic' | 'granular';
  /** `int-or-string`, `quantity`, `int32`, `date-time`, … */
  format?: string;
}

type Schema = Record<string, any>;

interface Document {
  schemas: Record<string, Schema>;
  /** `group/version/kind` → schema name, from x-kubernetes-group-version-kind. */
  kinds: Map<string, string>;
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'kubernetes-openapi-v3');
const REF_PREFIX = '#/components/schemas/';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const documents = new Map<string, Document | undefined>();
const fieldCache = new Map<string, FieldInfo | undefined>();

function fileOf(group: string, version: string): string {
  return group ? `apis__${group}__${version}_openapi.json` : `api__${version}_openapi.json`;
}

/** The OpenAPI v3 document of a group-version, or undefined when it is not vendored. */
function documentOf(group: string, version: string): Document | undefined {
  const key = `${group}/${version}`;
  if (documents.has(key)) return documents.get(key);
  const file = join(FIXTURES, fileOf(group, version));
  let doc: Document | undefined;
  if (existsSync(file)) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { components?: { schemas?: Record<string, Schema> } };
    const schemas = raw.components?.schemas ?? {};
    const kinds = new Map<string, string>();
    for (const [name, s] of Object.entries(schemas)) {
      for (const gvk of (s['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
        kinds.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      }
    }
    doc = { schemas, kinds };
  }
  documents.set(key, doc);
  return doc;
}

/** Vendored versions per group, preferred (served) first, for callers that know only group and kind. */
const VERSIONS: Record<string, string[]> = {
  '': ['v1'],
  apps: ['v1'],
  batch: ['v1'],
  'networking.k8s.io': ['v1'],
  'rbac.authorization.k8s.io': ['v1'],
  autoscaling: ['v2', 'v1'],
  policy: ['v1'],
  'apiextensions.k8s.io': ['v1'],
};

/** Whether the vendored documents describe this kind (a built-in kind the emulator knows the schema of). */
export function hasBuiltinSchema(group: string, kind: string, version?: string): boolean {
  return rootOf(group, kind, version) !== undefined;
}

const roots = new Map<string, { doc: Document; schema: Schema } | undefined>();

/**
 * The schema of a kind: looked up in its group's documents (the given version first), then in every vendored
 * document, because some kinds are only published beside the resources that use them (autoscaling/v1 Scale is in
 * the core/v1 and apps/v1 documents, for their `/scale` subresources).
 */
function rootOf(group: string, kind: string, version?: string): { doc: Document; schema: Schema } | undefined {
  const key = `${group}/${version ?? ''}/${kind}`;
  if (roots.has(key)) return roots.get(key);
  const own = version ? [version, ...(VERSIONS[group] ?? [])] : (VERSIONS[group] ?? []);
  const candidates: [string, string][] = [...own.map((v): [string, string] => [group, v]), ...Object.entries(VERSIONS).flatMap(([g, vs]) => vs.map((v): [string, string] => [g, v]))];
  const wanted = version ? [version, ...(VERSIONS[group] ?? [])] : [...(VERSIONS[group] ?? []), 'v1'];
  let found: { doc: Document; schema: Schema } | undefined;
  outer: for (const [g, v] of candidates) {
    const doc = documentOf(g, v);
    if (!doc) continue;
    for (const kv of wanted) {
      const name = doc.kinds.get(`${group}/${kv}/${kind}`);
      if (name && doc.schemas[name]) {
        found = { doc, schema: doc.schemas[name] };
        break outer;
      }
    }
  }
  roots.set(key, found);
  return found;
}

/** The `$ref` target of a schema (plain or wrapped in a one-element allOf, as v3 writes fields with a description). */
function refName(s: Schema): string | undefined {
  const ref: unknown = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 ? s.allOf[0]?.$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

function resolve(doc: Document, s: Schema): Schema {
  const name = refName(s);
  return name ? (doc.schemas[name] ?? {}) : s;
}

function mapTypeOf(v: unknown): 'atomic' | 'granular' | undefined {
  return v === 'atomic' || v === 'granular' ? v : undefined;
}

/** schemaconv getListElementRelationship, with the key fields' declared defaults (SMD fills missing keys from them). */
function listTypeOf(doc: Document, field: Schema, target: Schema): ListType {
  const lt = field['x-kubernetes-list-type'] ?? target['x-kubernetes-list-type'];
  const item = target.items ? resolve(doc, target.items as Schema) : undefined;
  const withDefaults = (keys: string[]): ListType => {
    const keyDefaults: Record<string, unknown> = {};
    for (const k of keys) {
      const d = item?.properties?.[k]?.default;
      if (d !== undefined) keyDefaults[k] = d;
    }
    return Object.keys(keyDefaults).length > 0 ? { type: 'map', keys, keyDefaults } : { type: 'map', keys };
  };
  if (lt === 'atomic') return { type: 'atomic' };
  if (lt === 'set') return { type: 'set' };
  if (lt === 'map') return withDefaults([...((field['x-kubernetes-list-map-keys'] ?? target['x-kubernetes-list-map-keys'] ?? []) as string[])]);
  const strategy = String(field['x-kubernetes-patch-strategy'] ?? '');
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = field['x-kubernetes-patch-merge-key'];
    return typeof key === 'string' ? withDefaults([key]) : { type: 'set' };
  }
  return { type: 'atomic' };
}

function infoOf(doc: Document, field: Schema): FieldInfo {
  const name = refName(field);
  const target = resolve(doc, field);
  const type = typeof target.type === 'string' ? target.type : undefined;
  const strategy = field['x-kubernetes-patch-strategy'];
  const info: FieldInfo = { type, patchStrategy: typeof strategy === 'string' && strategy ? strategy.split(',') : [] };
  if (typeof field['x-kubernetes-patch-merge-key'] === 'string') info.patchMergeKey = field['x-kubernetes-patch-merge-key'];
  if (type === 'array') info.listType = listTypeOf(doc, field, target);
  const mapType = mapTypeOf(field['x-kubernetes-map-type']) ?? mapTypeOf(target['x-kubernetes-map-type']);
  if (mapType) info.mapType = mapType;
  const format = name === QUANTITY ? 'quantity' : (field.format ?? target.format);
  if (typeof format === 'string') info.format = format;
  return info;
}

/** The child schema a path step leads to: through list items, then the named property or the map's value type. */
function step(doc: Document, s: Schema, fieldName: string): Schema | undefined {
  let cur = resolve(doc, s);
  while (cur.type === 'array' && cur.items) cur = resolve(doc, cur.items as Schema);
  const prop = cur.properties?.[fieldName];
  if (prop) return prop as Schema;
  return typeof cur.additionalProperties === 'object' ? (cur.additionalProperties as Schema) : undefined;
}

/**
 * What the schema of a built-in kind declares at `path` (field names from the object root, list items skipped;
 * map keys count as fields). Undefined when the kind has no vendored schema or the path leaves the schema.
 */
export function builtinFieldInfo(group: string, kind: string, path: readonly string[], version?: string): FieldInfo | undefined {
  const key = `${group}\u0000${version ?? ''}\u0000${kind}\u0000${path.join('\u0000')}`;
  if (fieldCache.has(key)) return fieldCache.get(key);
  const root = rootOf(group, kind, version);
  let info: FieldInfo | undefined;
  if (root) {
    let s: Schema | undefined = root.schema;
    for (const f of path) {
      s = s && step(root.doc, s, f);
      if (!s) break;
    }
    if (s) info = path.length === 0 ? { ...infoOf(root.doc, s), patchStrategy: [] } : infoOf(root.doc, s);
  }
  fieldCache.set(key, info);
  return info;
}

/**
 * Field info under `metadata` for any kind: every object's metadata is an ObjectMeta (custom resources too, whose
 * typed schema the apiserver builds with ObjectMeta's), read here from the core/v1 document.
 */
export function objectMetaFieldInfo(path: readonly string[]): FieldInfo | undefined {
  if (path[0] !== 'metadata') return undefined;
  return builtinFieldInfo('', 'ConfigMap', path, 'v1');
}

/**
 * Values of the scalar properties of the object at `path` that Go's JSON encoder always writes: required ones (a Go
 * field without `omitempty`; zero value) and ones with a declared scalar `default` (`+default=0` on a field without
 * omitempty, e.g. StatefulSetStatus.availableReplicas). DaemonSetStatus.numberReady is 0, not absent.
 */
export function requiredScalarZeros(group: string, kind: string, path: readonly string[], version?: string): Record<string, unknown> {
  const root = rootOf(group, kind, version);
  if (!root) return {};
  let s: Schema | undefined = root.schema;
  for (const f of path) {
    s = s && step(root.doc, s, f);
    if (!s) return {};
  }
  const target = resolve(root.doc, s);
  const zeros: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries((target.properties ?? {}) as Record<string, Schema>)) {
    if (refName(prop)) continue;
    const declared = prop.default;
    if (declared !== undefined && (typeof declared === 'number' || typeof declared === 'boolean' || typeof declared === 'string')) {
      zeros[name] = declared;
      continue;
    }
    if (!((target.required ?? []) as string[]).includes(name)) continue;
    const zero = prop.type === 'integer' || prop.type === 'number' ? 0 : prop.type === 'boolean' ? false : prop.type === 'string' ? '' : undefined;
    if (zero !== undefined) zeros[name] = zero;
  }
  return zeros;
}
