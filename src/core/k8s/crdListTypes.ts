// ListTypeResolver over CustomResourceDefinitions (x-kubernetes-list-type / -list-map-keys), for callers that take
// the resolver form (control/liveEditBody). The schema itself is read by schema/crdSchema.
import type { KubeObject } from '../model';
import { crdSchemaSource } from '../schema/crdSchema';
import type { ListTypeResolver } from './listKeys';

/** Resolver over the given CRDs; uses the storage version's schema (else the first one with a schema). */
export function crdListTypeResolver(crds: KubeObject[]): ListTypeResolver {
  const source = crdSchemaSource(crds);
  return (group, kind, path) => (source.has(group, kind) ? source.fieldAt(group, kind, path)?.list : undefined);
}
