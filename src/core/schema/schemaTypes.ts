// The compact form of API schemas the diff needs (list/map types, value formats, SMP patch metadata), derived from
// OpenAPI v3 documents (built-in kinds: the snapshot in builtinSchema.json, or a cluster's /openapi/v3) and from
// CRD openAPIV3Schemas. Only what changes diff semantics is kept; everything absent means the SSA default: lists
// atomic, maps and structs granular, values compared as they are.

/** SSA element relationship of a list: associative by key fields (with the keys' declared defaults), set, or atomic. */
export type ListType =
  | { type: 'map'; keys: string[]; keyDefaults?: Record<string, unknown> }
  | { type: 'set' }
  | { type: 'atomic' };

/** Value formats the diff compares by meaning rather than by bytes. */
export type ValueFormat = 'quantity' | 'int-or-string' | 'date-time' | 'duration';

/**
 * One schema node. `t` names a shared type (in `types`); its own keys override the type's. Arrays step into `i`
 * (items), maps into `v` (values, `additionalProperties`), structs into `f` (properties).
 */
export interface SchemaNode {
  t?: string;
  f?: Record<string, SchemaNode>;
  i?: SchemaNode;
  v?: SchemaNode;
  /** List type: `s` = set, an array = map keys; absent = atomic. */
  l?: 's' | string[];
  /** Declared defaults of map-list key fields (SMD fills missing keys from them: container port protocol → TCP). */
  d?: Record<string, unknown>;
  /** `x-kubernetes-map-type`: 1 = atomic, 0 = granular (an explicit override of a shared type's atomic). */
  m?: 0 | 1;
  /** Value format: q = quantity, i = int-or-string, t = date-time, d = duration. */
  x?: 'q' | 'i' | 't' | 'd';
  /** Strategic merge patch: `retainKeys` strategy. */
  r?: 1;
  /** Strategic merge patch: merge key of a `merge` list. */
  k?: string;
}

export interface CompactSchema {
  /** Where it came from (e.g. `kubernetes v1.37.2 OpenAPI v3`, or a server's gitVersion). */
  source: string;
  /** `group/version/Kind` (group empty for core) → its type in `types` ('' when nothing in it matters). */
  kinds: Record<string, string>;
  types: Record<string, SchemaNode>;
}

/** What a schema says about one field. */
export interface FieldSchema {
  list?: ListType;
  mapType?: 'atomic' | 'granular';
  format?: ValueFormat;
  retainKeys?: boolean;
  smpMergeKey?: string;
}

/** A source of schemas for some kinds (the built-in snapshot, a cluster's OpenAPI, CRDs). */
export interface SchemaSource {
  /** Whether this source describes the kind (then its answer is authoritative, even when it says nothing). */
  has(group: string, kind: string): boolean;
  /** The field at `path` (field names from the object root; list items skipped, map keys count as fields). */
  fieldAt(group: string, kind: string, path: readonly string[]): FieldSchema | undefined;
}

export const FORMAT_CODES: Record<NonNullable<SchemaNode['x']>, ValueFormat> = { q: 'quantity', i: 'int-or-string', t: 'date-time', d: 'duration' };
