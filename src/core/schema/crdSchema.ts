// Schemas of custom resources from CustomResourceDefinitions (the cluster's, or CRD manifests in the workspace):
// every served version's openAPIV3Schema, read with the same rules as the built-in OpenAPI documents.
import type { KubeObject } from '../model';
import { isObject, type JsonObject } from '../k8s/json';
import { CompactSchemaSource } from './compactSource';
import { compactFromOpenApi } from './fromOpenApi';

/** A SchemaSource for the kinds the given CRDs define (other objects are ignored); the storage version is preferred. */
export function crdSchemaSource(crds: readonly KubeObject[]): CompactSchemaSource {
  const schemas: Record<string, JsonObject> = {};
  const storage = new Map<string, string>();
  for (const crd of crds) {
    if (crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
    const { group, names, versions } = crd.spec as { group?: unknown; names?: { kind?: unknown }; versions?: unknown };
    if (typeof group !== 'string' || !isObject(names) || typeof names.kind !== 'string' || !Array.isArray(versions)) continue;
    const ordered = [...versions.filter(isObject)].sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
    if (typeof ordered[0]?.name === 'string') storage.set(`${group}/${names.kind}`, ordered[0].name);
    for (const v of ordered) {
      const schema = isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      if (!schema || typeof v.name !== 'string') continue;
      schemas[`${group}.${v.name}.${names.kind}`] = { ...schema, 'x-kubernetes-group-version-kind': [{ group, version: v.name, kind: names.kind }] };
    }
  }
  return new CompactSchemaSource(compactFromOpenApi([{ components: { schemas } }], 'CustomResourceDefinitions'), storage);
}

const ids = new WeakMap<object, number>();
let nextId = 0;
const recent = new Map<string, CompactSchemaSource>();

/**
 * crdSchemaSource over the CustomResourceDefinitions among `objects` (rendered from the workspace, or live), or
 * undefined when there are none. The same CRD objects (by reference) give the same source instance, so results
 * memoized per options stay valid across runs.
 */
export function crdSchemaSourceFor(objects: Iterable<KubeObject>): CompactSchemaSource | undefined {
  const crds: KubeObject[] = [];
  for (const o of objects) if (o.kind === 'CustomResourceDefinition' && (o.apiVersion ?? '').startsWith('apiextensions.k8s.io/')) crds.push(o);
  if (crds.length === 0) return undefined;
  const key = crds
    .map((c) => {
      let id = ids.get(c);
      if (id === undefined) ids.set(c, (id = nextId++));
      return id;
    })
    .sort((a, b) => a - b)
    .join(',');
  let source = recent.get(key);
  if (!source) {
    source = crdSchemaSource(crds);
    if (recent.size >= 8) recent.delete(recent.keys().next().value!);
    recent.set(key, source);
  }
  return source;
}
