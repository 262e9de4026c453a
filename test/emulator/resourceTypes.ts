// The emulator's type table: built-in kinds it serves, plus CRD-served kinds registered at run time.

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Whether the real server keeps `metadata.generation` for this kind (bumped on spec changes). */
  generation: boolean;
  statusSubresource: boolean;
  scale?: ScaleSpec;
  /** CRD-served kinds: the version's openAPIV3Schema (undefined = no schema, anything goes). */
  schema?: Record<string, unknown>;
  /** CRD additionalPrinterColumns (what `kubectl get` shows). */
  printerColumns?: PrinterColumn[];
  crd?: string;
  /** Verbs discovery lists (default RESOURCE_VERBS). */
  verbs?: string[];
  /** A review kind (SelfSubjectReview): only ever created, answered from the request's user, never stored. */
  review?: boolean;
}

export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const REPLICAS: ScaleSpec = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

type Row = [group: string, version: string, kind: string, plural: string, namespaced: boolean, extra?: Partial<ResourceType>];

const BUILTINS: Row[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], statusSubresource: true }],
  ['', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], statusSubresource: true }],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }],
  ['', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], statusSubresource: true }],
  ['', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], statusSubresource: true }],
  ['', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }],
  // What `kubectl auth whoami` asks; every authenticated user may create it (system:basic-user).
  ['authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'], review: true }],
  ['apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], generation: true, statusSubresource: true, scale: REPLICAS }],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'], generation: true, statusSubresource: true, scale: REPLICAS }],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], generation: true, statusSubresource: true }],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'], generation: true, statusSubresource: true, scale: REPLICAS }],
  ['batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], generation: true, statusSubresource: true }],
  ['batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], generation: true, statusSubresource: true }],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], generation: true, statusSubresource: true }],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], generation: true }],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], categories: ['all'], generation: true, statusSubresource: true }],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], generation: true, statusSubresource: true }],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], categories: ['api-extensions'], generation: true, statusSubresource: true }],
];

export function builtinTypes(): ResourceType[] {
  return BUILTINS.map(([group, version, kind, plural, namespaced, extra]) => ({
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    generation: false,
    statusSubresource: false,
    ...extra,
  }));
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Storage key of a resource, version-independent (one CRD may serve several versions of the same objects). */
export function resourceKey(t: { group: string; plural: string }): string {
  return `${t.group}/${t.plural}`;
}

/** Mutable table of served types; CRD registration adds and removes rows while the server runs. */
export class TypeRegistry {
  private readonly byGvr = new Map<string, ResourceType>();

  constructor(types: ResourceType[] = builtinTypes()) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
  }

  removeCrd(crdName: string): ResourceType[] {
    const removed = [...this.byGvr.entries()].filter(([, t]) => t.crd === crdName);
    for (const [k] of removed) this.byGvr.delete(k);
    return removed.map(([, t]) => t);
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const t of this.byGvr.values()) if (t.kind === kind && apiVersionOf(t) === apiVersion) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** Group → versions (in registration order), for /apis. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.byGvr.values()) {
      if (!t.group) continue;
      const vs = out.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      out.set(t.group, vs);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return [...this.byGvr.values()].filter((t) => t.group === group && t.version === version);
  }
}

/** Types a CustomResourceDefinition object serves (one per served version). */
export function typesFromCrd(crd: Record<string, any>): ResourceType[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const out: ResourceType[] = [];
  for (const v of (spec.versions ?? []) as Record<string, any>[]) {
    if (v.served === false) continue;
    const sub = v.subresources ?? spec.subresources ?? {};
    const scale = sub.scale as ScaleSpec | undefined;
    out.push({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? String(names.kind).toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames,
      categories: names.categories,
      generation: true,
      statusSubresource: sub.status !== undefined && sub.status !== null,
      scale: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
      schema: v.schema?.openAPIV3Schema,
      printerColumns: v.additionalPrinterColumns ?? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
      crd: crd.metadata?.name,
    });
  }
  return out;
}
