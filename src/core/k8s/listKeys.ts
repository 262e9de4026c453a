// Which lists are maps (merged by key), sets or atomic, per SSA list semantics (diff-semantics §6).
// Paths are field names from the object root; list items are not part of the path.

export type ListType =
  | { type: 'map'; keys: string[]; keyDefaults?: Record<string, unknown> }
  | { type: 'set' }
  | { type: 'atomic' };

/** Schema lookups for CRDs (x-kubernetes-list-type / -list-map-keys); undefined = no opinion. */
export type ListTypeResolver = (group: string, kind: string, path: string[]) => ListType | undefined;

const POD_KINDS: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const byName = (): ListType => ({ type: 'map', keys: ['name'] });
const ATOMIC: ListType = { type: 'atomic' };

/** Path of the PodSpec inside an object of this kind, or undefined when the kind has none. */
export function podSpecPath(kind: string): string[] | undefined {
  return POD_KINDS[kind];
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function podSpecList(rel: string[]): ListType | undefined {
  const [a, b, c] = rel;
  if (rel.length === 1) {
    if (CONTAINER_LISTS.has(a) || a === 'volumes' || a === 'imagePullSecrets' || a === 'schedulingGates' || a === 'resourceClaims') return byName();
    if (a === 'hostAliases') return { type: 'map', keys: ['ip'] };
    if (a === 'topologySpreadConstraints') return { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] };
    return undefined;
  }
  if (!CONTAINER_LISTS.has(a)) return undefined;
  if (rel.length === 2) {
    if (b === 'ports') return { type: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } };
    if (b === 'env') return byName();
    if (b === 'volumeMounts') return { type: 'map', keys: ['mountPath'] };
    if (b === 'volumeDevices') return { type: 'map', keys: ['devicePath'] };
  }
  if (rel.length === 3 && b === 'resources' && c === 'claims') return byName();
  return undefined;
}

function builtinList(group: string, kind: string, path: string[]): ListType | undefined {
  const last = path[path.length - 1];
  if (path.length >= 2 && path[path.length - 2] === 'status' && last === 'conditions') return { type: 'map', keys: ['type'] };
  if (path.length >= 2 && path[path.length - 2] === 'metadata') {
    if (last === 'ownerReferences') return { type: 'map', keys: ['uid'] };
    if (last === 'finalizers') return { type: 'set' };
  }
  const pod = POD_KINDS[kind];
  if (pod && (group === '' || group === 'apps' || group === 'batch') && startsWith(path, pod)) {
    const found = podSpecList(path.slice(pod.length));
    if (found) return found;
  }
  const p = path.join('.');
  if (group === '' && kind === 'Service' && p === 'spec.ports') return { type: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } };
  if (group === '' && kind === 'ServiceAccount' && p === 'secrets') return byName();
  if (group === 'admissionregistration.k8s.io' && (kind === 'MutatingWebhookConfiguration' || kind === 'ValidatingWebhookConfiguration')) {
    if (p === 'webhooks' || p === 'webhooks.matchConditions') return byName();
  }
  return undefined;
}

/** SSA list type at `path`; built-in table first, then the optional CRD resolver, else atomic. */
export function listTypeAt(group: string, kind: string, path: string[], resolver?: ListTypeResolver): ListType {
  return builtinList(group, kind, path) ?? resolver?.(group, kind, path) ?? ATOMIC;
}

/**
 * Strategic-merge-patch merge key at `path` (kubectl apply / Argo legacy). It differs from the SSA keys:
 * one field only (Service ports: `port`, container ports: `containerPort`), so TCP+UDP on one port collapse.
 */
export function smpMergeKeyAt(group: string, kind: string, path: string[]): string | undefined {
  const t = builtinList(group, kind, path);
  if (!t) return undefined;
  if (t.type === 'set') return undefined;
  if (t.type === 'map') {
    const last = path[path.length - 1];
    if (last === 'ports') return t.keys[0];
    if (last === 'topologySpreadConstraints') return 'topologyKey';
    if (last === 'resources' || path.join('.').endsWith('resources.claims')) return undefined;
    return t.keys[0];
  }
  return undefined;
}

/** Structs patched with SMP `retainKeys`: union members not in the patch are dropped. */
export function usesRetainKeys(group: string, kind: string, path: string[]): boolean {
  const pod = POD_KINDS[kind];
  if (pod && startsWith(path, pod) && path.length === pod.length + 1 && path[pod.length] === 'volumes') return true;
  return group === 'apps' && kind === 'Deployment' && path.length === 2 && path[0] === 'spec' && path[1] === 'strategy';
}
