// Defaults the real kube-apiserver fills in on create/update of built-in kinds, written for the emulator from the
// Kubernetes v1.37.2 defaulting code (k8s.io/kubernetes pkg/apis/{core,apps,batch,networking,rbac,autoscaling}/…/
// defaults.go and their generated zz_generated.defaults.go, with the feature gates on by default in that release).
// No schema says these, so this is the emulator's own table; it deliberately shares nothing with the product's
// defaults (src/core/k8s/defaults.ts), so that a mistake there shows up as drift against this emulator.
// What is not here (known gaps): HPA behavior policies, CRD spec defaults, per-volume-plugin defaults (RBD, ISCSI,
// ScaleIO, AzureDisk…), Pod-level resource defaulting, host-network ports, quantity canonicalisation.
import { clone, isObject, type JsonObject } from './util/json';

type Obj = JsonObject;

/** `obj[key] = value` when unset (Go: nil pointer or empty string / zero-length slice, as each rule says). */
function setIfAbsent(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = clone(value);
}

function setIfEmpty(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = clone(value);
}

function objectAt(obj: Obj | undefined, ...path: string[]): Obj | undefined {
  let cur: unknown = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return isObject(cur) ? cur : undefined;
}

function each(list: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(list)) for (const x of list) if (isObject(x)) fn(x);
}

/** Non-pointer struct fields: Go always has them, so defaulting one creates it. */
function struct(obj: Obj, key: string): Obj {
  if (!isObject(obj[key])) obj[key] = {};
  return obj[key] as Obj;
}

/** parsers.ParseImageName: no tag and no digest means `latest`. */
function imageTag(image: unknown): string {
  if (typeof image !== 'string') return 'latest';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : '';
  return tag === '' && at < 0 ? 'latest' : tag;
}

function pullPolicy(image: unknown): string {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

// ---- core/v1 ----------------------------------------------------------------------------------------

function httpGet(h: Obj | undefined): void {
  if (!h) return;
  setIfEmpty(h, 'path', '/');
  setIfEmpty(h, 'scheme', 'HTTP');
}

function probe(p: unknown): void {
  if (!isObject(p)) return;
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === 0) p[k] = v;
  }
  httpGet(objectAt(p, 'httpGet'));
  const grpc = objectAt(p, 'grpc');
  if (grpc) setIfAbsent(grpc, 'service', '');
}

function container(c: Obj): void {
  // ResourceRequirements is a non-pointer struct: an unset one serialises as {} (and is owned by Update managers).
  setIfAbsent(c, 'resources', {});
  setIfEmpty(c, 'imagePullPolicy', pullPolicy(c.image));
  setIfEmpty(c, 'terminationMessagePath', '/dev/termination-log');
  setIfEmpty(c, 'terminationMessagePolicy', 'File');
  each(c.ports, (p) => setIfEmpty(p, 'protocol', 'TCP'));
  each(c.env, (e) => {
    const fieldRef = objectAt(e, 'valueFrom', 'fieldRef');
    if (fieldRef) setIfEmpty(fieldRef, 'apiVersion', 'v1');
    const fileKeyRef = objectAt(e, 'valueFrom', 'fileKeyRef');
    if (fileKeyRef) setIfAbsent(fileKeyRef, 'optional', false);
    // Quantity is a non-pointer struct: an unset divisor serialises as "0".
    const resourceFieldRef = objectAt(e, 'valueFrom', 'resourceFieldRef');
    if (resourceFieldRef) setIfAbsent(resourceFieldRef, 'divisor', '0');
  });
  for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) probe(c[p]);
  httpGet(objectAt(c, 'lifecycle', 'postStart', 'httpGet'));
  httpGet(objectAt(c, 'lifecycle', 'preStop', 'httpGet'));
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function downwardItems(items: unknown): void {
  each(items, (i) => {
    const f = objectAt(i, 'fieldRef');
    if (f) setIfEmpty(f, 'apiVersion', 'v1');
  });
}

function volume(v: Obj): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  const hostPath = objectAt(v, 'hostPath');
  if (hostPath) setIfAbsent(hostPath, 'type', '');
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = objectAt(v, s);
    if (src) setIfAbsent(src, 'defaultMode', 420);
  }
  downwardItems(objectAt(v, 'downwardAPI')?.items);
  each(objectAt(v, 'projected')?.sources, (s) => {
    downwardItems(objectAt(s, 'downwardAPI')?.items);
    const token = objectAt(s, 'serviceAccountToken');
    if (token) setIfAbsent(token, 'expirationSeconds', 3600);
  });
  const image = objectAt(v, 'image');
  if (image) setIfEmpty(image, 'pullPolicy', pullPolicy(image.reference));
  const pvcSpec = objectAt(v, 'ephemeral', 'volumeClaimTemplate', 'spec');
  if (pvcSpec) setIfAbsent(pvcSpec, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec and everything below it (containers, volumes). */
function podSpec(spec: Obj): void {
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  setIfEmpty(spec, 'dnsPolicy', 'ClusterFirst');
  setIfEmpty(spec, 'restartPolicy', 'Always');
  setIfAbsent(spec, 'securityContext', {});
  setIfAbsent(spec, 'terminationGracePeriodSeconds', 30);
  setIfEmpty(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) each(spec[list], container);
  each(spec.volumes, volume);
}

/** A pod template (`spec.template` of workloads): PodSpec defaults only, not the Pod-level ones. */
function podTemplate(template: Obj | undefined): void {
  if (!template) return;
  podSpec(struct(template, 'spec'));
}

/** SetDefaults_Pod: only for Pods themselves. */
function pod(obj: Obj): void {
  const spec = struct(obj, 'spec');
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) spec.terminationGracePeriodSeconds = 1;
  for (const list of ['containers', 'initContainers']) {
    each(spec[list], (c) => {
      const res = objectAt(c, 'resources');
      const limits = objectAt(res, 'limits');
      if (!res || !limits) return;
      const requests = struct(res, 'requests');
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = clone(v);
    });
  }
  setIfAbsent(spec, 'enableServiceLinks', true);
  podSpec(spec);
}

function service(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfEmpty(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = objectAt(spec, 'sessionAffinityConfig', 'clientIP');
    if (!cfg || cfg.timeoutSeconds === undefined || cfg.timeoutSeconds === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setIfEmpty(spec, 'type', 'ClusterIP');
  each(spec.ports, (p) => {
    setIfEmpty(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  });
  const externallyAccessible = spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) setIfEmpty(spec, 'externalTrafficPolicy', 'Cluster');
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type as string)) setIfAbsent(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setIfAbsent(spec, 'allocateLoadBalancerNodePorts', true);
}

/**
 * Set by the Service REST storage (IP family allocation), not defaults.go: a single-stack IPv4 cluster. The storage
 * runs after the field manager, so no manager owns these fields (nor the allocated clusterIP).
 */
export function serviceIpFamilies(obj: Obj): void {
  const spec = struct(obj, 'spec');
  if (spec.type !== 'ExternalName') {
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    setIfAbsent(spec, 'ipFamilyPolicy', 'SingleStack');
  }
}

/** The API server folds `stringData` into base64 `data` on write (stringData wins). */
function secret(obj: Obj): void {
  if (isObject(obj.stringData)) {
    const data: Obj = isObject(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v === null || v === undefined ? '' : String(v), 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
  setIfEmpty(obj, 'type', 'Opaque');
}

function pvcSpec(spec: Obj | undefined): void {
  if (spec) setIfAbsent(spec, 'volumeMode', 'Filesystem');
}

// ---- apps/v1, batch/v1 ------------------------------------------------------------------------------

function deployment(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  const strategy = struct(spec, 'strategy');
  setIfEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = struct(strategy, 'rollingUpdate');
    setIfAbsent(ru, 'maxUnavailable', '25%');
    setIfAbsent(ru, 'maxSurge', '25%');
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setIfAbsent(spec, 'progressDeadlineSeconds', 600);
  podTemplate(objectAt(spec, 'template'));
}

function daemonSet(obj: Obj): void {
  const spec = struct(obj, 'spec');
  const strategy = struct(spec, 'updateStrategy');
  setIfEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = struct(strategy, 'rollingUpdate');
    setIfAbsent(ru, 'maxUnavailable', 1);
    setIfAbsent(ru, 'maxSurge', 0);
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  podTemplate(objectAt(spec, 'template'));
}

function statefulSet(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfEmpty(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = struct(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    setIfAbsent(strategy, 'rollingUpdate', {});
  }
  const ru = objectAt(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && ru) {
    setIfAbsent(ru, 'partition', 0);
    setIfAbsent(ru, 'maxUnavailable', 1); // MaxUnavailableStatefulSet: beta, on by default since 1.37
  }
  const retention = struct(spec, 'persistentVolumeClaimRetentionPolicy');
  setIfEmpty(retention, 'whenDeleted', 'Retain');
  setIfEmpty(retention, 'whenScaled', 'Retain');
  setIfAbsent(spec, 'replicas', 1);
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  podTemplate(objectAt(spec, 'template'));
  each(spec.volumeClaimTemplates, (t) => pvcSpec(objectAt(t, 'spec')));
}

function replicaSet(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  podTemplate(objectAt(spec, 'template'));
}

function jobSpec(spec: Obj, metadata: Obj | undefined): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfAbsent(spec, 'parallelism', 1);
  if (spec.backoffLimit === undefined || spec.backoffLimit === null) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2147483647 : 6;
  const templateLabels = objectAt(spec, 'template', 'metadata', 'labels');
  if (metadata && templateLabels && (!isObject(metadata.labels) || Object.keys(metadata.labels).length === 0)) metadata.labels = clone(templateLabels);
  setIfAbsent(spec, 'completionMode', 'NonIndexed');
  setIfAbsent(spec, 'suspend', false);
  setIfAbsent(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  setIfAbsent(spec, 'manualSelector', false);
  each(objectAt(spec, 'podFailurePolicy')?.rules, (r) => each(r.onPodConditions, (c) => setIfEmpty(c, 'status', 'True')));
  podTemplate(objectAt(spec, 'template'));
}

function cronJob(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfEmpty(spec, 'concurrencyPolicy', 'Allow');
  setIfAbsent(spec, 'suspend', false);
  setIfAbsent(spec, 'successfulJobsHistoryLimit', 3);
  setIfAbsent(spec, 'failedJobsHistoryLimit', 1);
  // The job template is a JobTemplateSpec: SetDefaults_Job runs on Jobs only, not on it; its pod template and
  // pod-failure-policy patterns are defaulted.
  const js = objectAt(spec, 'jobTemplate', 'spec');
  each(objectAt(js, 'podFailurePolicy')?.rules, (r) => each(r.onPodConditions, (c) => setIfEmpty(c, 'status', 'True')));
  podTemplate(objectAt(js, 'template'));
}

// ---- networking, rbac, autoscaling ------------------------------------------------------------------

function networkPolicy(obj: Obj): void {
  const spec = struct(obj, 'spec');
  for (const dir of ['ingress', 'egress']) each(spec[dir], (rule) => each(rule.ports, (p) => setIfAbsent(p, 'protocol', 'TCP')));
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function roleBinding(obj: Obj): void {
  const roleRef = struct(obj, 'roleRef');
  setIfEmpty(roleRef, 'apiGroup', 'rbac.authorization.k8s.io');
  each(obj.subjects, (s) => {
    if (s.apiGroup) return;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = 'rbac.authorization.k8s.io';
  });
}

function horizontalPodAutoscaler(obj: Obj): void {
  const spec = struct(obj, 'spec');
  setIfAbsent(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
}

const BY_KIND: Record<string, (obj: Obj) => void> = {
  '/Pod': pod,
  '/PodTemplate': (o) => podTemplate(objectAt(o, 'template')),
  '/ReplicationController': (o) => {
    const spec = struct(o, 'spec');
    const labels = objectAt(spec, 'template', 'metadata', 'labels');
    if (labels) {
      if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = clone(labels);
      const meta = struct(o, 'metadata');
      if (!isObject(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = clone(labels);
    }
    setIfAbsent(spec, 'replicas', 1);
    podTemplate(objectAt(spec, 'template'));
  },
  '/Service': service,
  '/Secret': secret,
  '/PersistentVolumeClaim': (o) => {
    pvcSpec(struct(o, 'spec'));
    setIfEmpty(struct(o, 'status'), 'phase', 'Pending');
  },
  '/Namespace': (o) => {
    const meta = struct(o, 'metadata');
    if (typeof meta.name === 'string' && meta.name) meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), 'kubernetes.io/metadata.name': meta.name };
  },
  'apps/Deployment': deployment,
  'apps/DaemonSet': daemonSet,
  'apps/StatefulSet': statefulSet,
  'apps/ReplicaSet': replicaSet,
  'batch/Job': (o) => jobSpec(struct(o, 'spec'), struct(o, 'metadata')),
  'batch/CronJob': cronJob,
  'networking.k8s.io/NetworkPolicy': networkPolicy,
  'rbac.authorization.k8s.io/RoleBinding': roleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleBinding,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscaler,
};

/** A copy of `obj` (a built-in kind of `group`) with the server's defaults filled in. */
export function withServerDefaults<T extends Obj>(group: string, kind: string, obj: T): T {
  const fill = BY_KIND[`${group}/${kind}`];
  if (!fill) return obj;
  const out = clone(obj);
  fill(out);
  return out;
}
