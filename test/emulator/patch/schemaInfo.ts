// What the engines need to know of a type's schema: list types, atomic maps and SMP patch meta (from the real
// server's OpenAPI v3 documents for built-in kinds, from the CRD's schema for custom resources), and which struct
// fields a Go zero value always carries (the real server compares a create against that zero value).
import { builtinFieldInfo, hasBuiltinSchema, objectMetaFieldInfo, type ListType } from '../schema/builtinSchema';

export type { ListType };

/** Schema lookups for CRDs (x-kubernetes-list-type / -list-map-keys); undefined = no opinion. */
export type ListTypeResolver = (group: string, kind: string, path: string[]) => ListType | undefined;

export interface TypeContext {
  group: string;
  kind: string;
  /** Version of the built-in schema to read (default: the version the emulator serves). */
  version?: string;
  /** CRD list types (x-kubernetes-list-type) the server read from the schema; built-ins need none. */
  listTypes?: ListTypeResolver;
}

/** API groups served by kube-apiserver itself; everything else is a custom resource (no strategic merge). */
const BUILTIN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'coordination.k8s.io',
  'discovery.k8s.io', 'events.k8s.io', 'scheduling.k8s.io', 'node.k8s.io', 'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io',
  'internal.apiserver.k8s.io', 'storagemigration.k8s.io',
]);

/** Whether the apiserver accepts application/strategic-merge-patch+json for this type (CRDs get 415). */
export function supportsStrategicMerge(group: string, _kind?: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

const ATOMIC: ListType = { type: 'atomic' };

/**
 * SSA list type at `path` (field names only): the built-in kind's schema; for custom resources ObjectMeta's under
 * `metadata` and the CRD schema elsewhere; atomic where no schema says otherwise (as schemaconv defaults).
 */
export function listTypeOf(ctx: TypeContext, path: string[]): ListType {
  if (supportsStrategicMerge(ctx.group) && hasBuiltinSchema(ctx.group, ctx.kind, ctx.version)) {
    return builtinFieldInfo(ctx.group, ctx.kind, path, ctx.version)?.listType ?? ATOMIC;
  }
  if (path[0] === 'metadata') return objectMetaFieldInfo(path)?.listType ?? ATOMIC;
  return ctx.listTypes?.(ctx.group, ctx.kind, path) ?? ATOMIC;
}

/** Maps and structs the schema declares `x-kubernetes-map-type: atomic` (LabelSelector, nodeSelector, roleRef…). */
export function isAtomicMap(ctx: TypeContext, path: string[]): boolean {
  if (path.length === 0) return false;
  // Custom resources: only list types are read from the CRD schema (x-kubernetes-map-type is not, a known gap).
  return supportsStrategicMerge(ctx.group) && builtinFieldInfo(ctx.group, ctx.kind, path, ctx.version)?.mapType === 'atomic';
}

/** Strategic-merge-patch meta at `path`: the patch strategies and the merge key the Go struct tags declare. */
export function patchMetaOf(ctx: TypeContext, path: string[]): { strategy: string[]; mergeKey?: string } {
  const info = builtinFieldInfo(ctx.group, ctx.kind, path, ctx.version);
  return { strategy: info?.patchStrategy ?? [], mergeKey: info?.patchMergeKey };
}

const TEMPLATE_SKELETON = { metadata: {}, spec: { containers: null } };
const SKELETONS: Record<string, Record<string, unknown>> = {
  Pod: { spec: { containers: null } },
  Deployment: { spec: { selector: null, template: TEMPLATE_SKELETON, strategy: {} } },
  StatefulSet: { spec: { template: TEMPLATE_SKELETON, updateStrategy: {} } },
  DaemonSet: { spec: { template: TEMPLATE_SKELETON, updateStrategy: {} } },
  ReplicaSet: { spec: { template: TEMPLATE_SKELETON } },
  ReplicationController: { spec: {} },
  Job: { spec: { template: TEMPLATE_SKELETON } },
  CronJob: { spec: { jobTemplate: { metadata: {}, spec: { template: TEMPLATE_SKELETON } } } },
  PodTemplate: { template: TEMPLATE_SKELETON },
};
const KINDS_WITHOUT_SPEC = new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'Endpoints', 'Event', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'StorageClass', 'PriorityClass', 'LimitRange', 'PodTemplate']);

/**
 * The JSON of a Go zero value of a built-in kind: non-pointer structs (metadata, spec, status, pod templates…)
 * are always there, so creating an object does not "add" them and they get no `.` in managedFields.
 * Custom resources are unstructured: their zero value is empty.
 */
export function zeroValue(ctx: TypeContext): Record<string, unknown> {
  if (!supportsStrategicMerge(ctx.group)) return {};
  const base: Record<string, unknown> = { metadata: {} };
  if (!KINDS_WITHOUT_SPEC.has(ctx.kind)) {
    base.spec = {};
    base.status = {};
  }
  return { ...base, ...JSON.parse(JSON.stringify(SKELETONS[ctx.kind] ?? {})) };
}

/** `obj` with the zero value's always-present fields filled in where missing (objects are never mutated). */
export function withZeroValue(ctx: TypeContext, obj: unknown): unknown {
  const fill = (zero: unknown, v: unknown): unknown => {
    if (v === undefined) return zero;
    if (!isPlainObject(zero) || !isPlainObject(v)) return v;
    const out: Record<string, unknown> = { ...v };
    for (const [k, z] of Object.entries(zero)) out[k] = fill(z, v[k]);
    return out;
  };
  return fill(zeroValue(ctx), obj);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
