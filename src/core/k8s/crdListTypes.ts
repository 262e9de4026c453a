// ListTypeResolver built from CustomResourceDefinitions' openAPIV3Schema
// (x-kubernetes-list-type / x-kubernetes-list-map-keys), for keyed merges of CRD lists.
import type { KubeObject } from '../model';
import { isObject, type JsonObject } from './json';
import type { ListType, ListTypeResolver } from './listKeys';

/** The schema node at `path` (field names; array items are stepped through, as in listTypeAt paths). */
function schemaAt(root: JsonObject, path: string[]): JsonObject | undefined {
  let node: JsonObject | undefined = root;
  for (const field of path) {
    while (node && node.type === 'array' && isObject(node.items)) node = node.items;
    if (!node) return undefined;
    const props: unknown = node.properties;
    const next: unknown = isObject(props) ? props[field] : isObject(node.additionalProperties) ? node.additionalProperties : undefined;
    node = isObject(next) ? next : undefined;
  }
  return node;
}

function listTypeOfNode(node: JsonObject | undefined): ListType | undefined {
  const t = node?.['x-kubernetes-list-type'];
  if (t === 'map') {
    const keys = node?.['x-kubernetes-list-map-keys'];
    return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? { type: 'map', keys: keys as string[] } : undefined;
  }
  if (t === 'set') return { type: 'set' };
  if (t === 'atomic') return { type: 'atomic' };
  return undefined;
}

/** Resolver over the given CRDs; uses the storage version's schema (else the first one with a schema). */
export function crdListTypeResolver(crds: KubeObject[]): ListTypeResolver {
  const schemas = new Map<string, JsonObject>();
  for (const crd of crds) {
    if (crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
    const spec = crd.spec;
    const names = isObject(spec.names) ? spec.names : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
    const withSchema = versions.filter((v) => isObject(v.schema) && isObject(v.schema.openAPIV3Schema));
    const chosen = withSchema.find((v) => v.storage === true) ?? withSchema[0];
    const schema = chosen && isObject(chosen.schema) ? chosen.schema.openAPIV3Schema : undefined;
    if (typeof spec.group === 'string' && typeof names.kind === 'string' && isObject(schema)) schemas.set(`${spec.group}/${names.kind}`, schema);
  }
  return (group, kind, path) => {
    const root = schemas.get(`${group}/${kind}`);
    return root ? listTypeOfNode(schemaAt(root, path)) : undefined;
  };
}
