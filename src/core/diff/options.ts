// Options of the offline diff, in the shapes Argo CD and Flux users already write.
import type { ListTypeResolver } from '../k8s/listKeys';
import type { SchemaSource } from '../schema/schemaTypes';

/** One Argo CD `ignoreDifferences` entry (Application spec or resource.customizations). */
export interface IgnoreDifference {
  group?: string;
  /** Glob (`*` wildcard), as in `resource.customizations`. */
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  /** Subset of jq, see ignore/jqPath.ts. */
  jqPathExpressions?: string[];
  managedFieldsManagers?: string[];
  /** Flux targets: API version, and label / annotation selectors (`a=b,c!=d,e in (x,y),!f`) on the object. */
  version?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface DiffOptions {
  /** Field manager our applier uses; auto-detected from live managedFields when absent. */
  manager?: string;
  /** Managers besides `kubectl*` whose live-only fields count as hand edits. */
  humanManagers?: string[];
  ignoreDifferences?: IgnoreDifference[];
  /** Argo `ignoreAggregatedRoles`: ignore `rules` of ClusterRoles that have an `aggregationRule`. */
  ignoreAggregatedRoles?: boolean;
  /**
   * Argo CD `resource.compareoptions.ignoreResourceStatusField`: unset / `all` (any unknown value too) → `status`
   * ignored on every kind; `crd` → ignored on CustomResourceDefinitions only; `none` / `off` / `false` → a
   * `status` declared in Git is compared. See statusIgnored.
   */
  ignoreResourceStatusField?: string;
  /** Extra dot paths (field names) holding Kubernetes quantities (N8), e.g. for CRDs. */
  quantityPaths?: string[];
  /** Dot paths holding metav1.Duration values (N13), compared by value. */
  durationPaths?: string[];
  /** CRD list types (x-kubernetes-list-type / -list-map-keys); prefer `schemas`. */
  listTypeResolver?: ListTypeResolver;
  /**
   * Schemas consulted before the built-in snapshot: the cluster's OpenAPI (schema/clusterSchema), CRDs of the
   * cluster or the workspace (schema/crdSchema). List/map types and value formats come from them.
   */
  schemas?: SchemaSource[];
  /** Namespace for the ref when neither object carries one. */
  defaultNamespace?: string;
  app?: string;
}

/** Managers that may own a field in managedFields because they applied our desired state. */
export const KNOWN_APPLIERS = ['argocd-controller', 'kustomize-controller', 'helm-controller'];

export function isHumanManager(manager: string | undefined, opts: DiffOptions): boolean {
  if (!manager) return false;
  return manager.startsWith('kubectl') || (opts.humanManagers ?? []).includes(manager);
}

/** Whether `status` is left out of the comparison for this kind (Argo CD v3 util/settings GetResourceOverrides). */
export function statusIgnored(mode: string | undefined, group: string, kind: string): boolean {
  if (mode === 'none' || mode === 'off' || mode === 'false') return false;
  if (mode === 'crd') return group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition';
  return true;
}
