// OpenAPI v3 documents (kube-apiserver /openapi/v3/<group-version>) → CompactSchema. The list rules follow
// k8s.io/kube-openapi pkg/schemaconv (how the apiserver derives structured-merge-diff types from these documents):
// x-kubernetes-list-type first, else a `merge` patch strategy makes a list associative by its patch merge key (a
// set without one), else atomic; x-kubernetes-map-type on the field, else on its type. Used by the snapshot
// generator (scripts/gen-schema-snapshot.ts) and for a connected cluster's own documents.
import { isObject, type JsonObject } from '../k8s/json';
import type { CompactSchema, SchemaNode } from './schemaTypes';

const REF_PREFIX = '#/components/schemas/';
const FORMAT_OF_TYPE: Record<string, SchemaNode['x']> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'q',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'i',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 't',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 't',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': 'd',
};
const FORMAT_OF_STRING: Record<string, SchemaNode['x']> = { 'int-or-string': 'i', quantity: 'q', 'date-time': 't', duration: 'd' };

export interface OpenApiDocument {
  components?: { schemas?: Record<string, unknown> };
}

function refName(s: JsonObject): string | undefined {
  const ref: unknown = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 && isObject(s.allOf[0]) ? s.allOf[0].$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

function shortName(name: string): string {
  return name.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\./, 'meta.').replace(/^io\.k8s\./, '');
}

const isEmpty = (n: SchemaNode): boolean => Object.keys(n).length === 0;

/** A schema node (inline or named) converted; undefined when nothing in it changes diff semantics. */
export function compactFromOpenApi(docs: OpenApiDocument[], source: string): CompactSchema {
  const schemas: Record<string, JsonObject> = {};
  for (const d of docs) for (const [name, s] of Object.entries(d.components?.schemas ?? {})) if (isObject(s)) schemas[name] ??= s;
  const types: Record<string, SchemaNode> = {};
  const state = new Map<string, string | null>();

  const typeRef = (name: string): string | undefined => {
    if (state.has(name)) return state.get(name) ?? undefined;
    const short = shortName(name);
    state.set(name, short); // optimistic for recursive types; dangling references are removed afterwards
    const node = nodeOf(schemas[name] ?? {}, true);
    if (node) types[short] = node;
    else state.set(name, null);
    return node ? short : undefined;
  };

  const resolve = (s: JsonObject): JsonObject => {
    const name = refName(s);
    return name ? (schemas[name] ?? {}) : s;
  };

  function listOf(field: JsonObject, target: JsonObject, n: SchemaNode): void {
    const lt = field['x-kubernetes-list-type'] ?? target['x-kubernetes-list-type'];
    const item = isObject(target.items) ? resolve(target.items) : undefined;
    const withDefaults = (keys: string[]) => {
      n.l = keys;
      const d: Record<string, unknown> = {};
      for (const k of keys) {
        const props = item?.properties;
        const v = isObject(props) && isObject(props[k]) ? props[k].default : undefined;
        if (v !== undefined) d[k] = v;
      }
      if (Object.keys(d).length) n.d = d;
    };
    const strategy = String(field['x-kubernetes-patch-strategy'] ?? '');
    const mergeKey = field['x-kubernetes-patch-merge-key'];
    if (strategy.split(',').includes('merge') && typeof mergeKey === 'string') n.k = mergeKey;
    if (lt === 'atomic') return;
    if (lt === 'set') n.l = 's';
    else if (lt === 'map') withDefaults([...((field['x-kubernetes-list-map-keys'] ?? target['x-kubernetes-list-map-keys'] ?? []) as string[])]);
    else if (strategy === 'merge' || strategy === 'merge,retainKeys') {
      if (typeof mergeKey === 'string') withDefaults([mergeKey]);
      else n.l = 's';
    }
  }

  function nodeOf(field: JsonObject, named = false): SchemaNode | undefined {
    const name = named ? undefined : refName(field);
    const n: SchemaNode = {};
    if (name && FORMAT_OF_TYPE[name]) n.x = FORMAT_OF_TYPE[name];
    else if (name) {
      const t = typeRef(name);
      if (t) n.t = t;
    }
    const target = name ? (schemas[name] ?? {}) : field;
    if (!name) {
      const fmt = typeof field.format === 'string' ? FORMAT_OF_STRING[field.format] : undefined;
      if (fmt) n.x = fmt;
      // CRDs (controller-gen): resource.Quantity is int-or-string with the quantity pattern.
      else if (field['x-kubernetes-int-or-string'] === true) n.x = typeof field.pattern === 'string' && field.pattern.includes('[KMGTPE]i') ? 'q' : 'i';
      if (isObject(field.properties)) {
        const f: Record<string, SchemaNode> = {};
        for (const [k, v] of Object.entries(field.properties)) {
          const c = isObject(v) ? nodeOf(v) : undefined;
          if (c) f[k] = c;
        }
        if (Object.keys(f).length) n.f = f;
      }
      if (field.type === 'array' && isObject(field.items)) {
        const i = nodeOf(field.items);
        if (i) n.i = i;
      }
      if (isObject(field.additionalProperties)) {
        const v = nodeOf(field.additionalProperties);
        if (v) n.v = v;
      }
    }
    if (target.type === 'array' || field.type === 'array') listOf(field, target, n);
    const own = field['x-kubernetes-map-type'];
    if (own === 'atomic') n.m = 1;
    else if (own === 'granular' && name && target['x-kubernetes-map-type'] === 'atomic') n.m = 0;
    if (String(field['x-kubernetes-patch-strategy'] ?? '').split(',').includes('retainKeys')) n.r = 1;
    return isEmpty(n) ? undefined : n;
  }

  const kinds: Record<string, string> = {};
  for (const [name, s] of Object.entries(schemas)) {
    const gvks = s['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || gvks.length !== 1 || !isObject(gvks[0])) continue;
    const { group, version, kind } = gvks[0] as { group: string; version: string; kind: string };
    if (typeof kind !== 'string' || kind.endsWith('List')) continue;
    kinds[`${group ?? ''}/${version}/${kind}`] = typeRef(name) ?? '';
  }
  // Drop references to types that turned out empty, then nodes left empty by that, until nothing changes.
  const prune = (n: SchemaNode): boolean => {
    if (n.t !== undefined && !types[n.t]) delete n.t;
    for (const key of ['i', 'v'] as const) if (n[key] && prune(n[key]!)) delete n[key];
    if (n.f) {
      for (const [k, c] of Object.entries(n.f)) if (prune(c)) delete n.f[k];
      if (!Object.keys(n.f).length) delete n.f;
    }
    return isEmpty(n);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [k, n] of Object.entries(types)) {
      if (prune(n)) {
        delete types[k];
        changed = true;
      }
    }
  }
  for (const [k, t] of Object.entries(kinds)) if (t && !types[t]) kinds[k] = '';
  return { source, kinds: sortKeys(kinds), types: sortKeys(types) };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
