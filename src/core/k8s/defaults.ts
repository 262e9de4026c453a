// Defaults the real API server fills in for built-in kinds (peer-diff README §D). applyServerDefaults is pure
// (returns a new object); applyServerDefaultsInPlace fills in the given one.
import type { KubeObject } from '../model';
import { groupOf } from '../model';
import { clone, isObject, type JsonObject } from './json';
import { podSpecPath } from './listKeys';

/** Sets `obj[key] = value` only when the field is absent (null counts as absent, as for Go pointers). */
function def(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = clone(value);
}

function child(obj: JsonObject, key: string): JsonObject | undefined {
  const v = obj[key];
  return isObject(v) ? v : undefined;
}

function at(obj: JsonObject, path: string[]): JsonObject | undefined {
  let cur: JsonObject | undefined = obj;
  for (const p of path) cur = cur && child(cur, p);
  return cur;
}

function eachObject(list: unknown, fn: (o: JsonObject) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) fn(item);
}

/** `:latest` or untagged images are re-pulled (Always); pinned tags and digests use IfNotPresent. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastSegment.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  def(p, 'failureThreshold', 3);
  def(p, 'successThreshold', 1);
  def(p, 'timeoutSeconds', 1);
  def(p, 'periodSeconds', 10);
  const http = child(p, 'httpGet');
  if (http) def(http, 'scheme', 'HTTP');
}

function defaultContainer(c: JsonObject): void {
  def(c, 'terminationMessagePath', '/dev/termination-log');
  def(c, 'terminationMessagePolicy', 'File');
  def(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  eachObject(c.ports, (p) => def(p, 'protocol', 'TCP'));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[probe]);
  eachObject(c.env, (e) => {
    const vf = child(e, 'valueFrom');
    const field = vf && child(vf, 'fieldRef');
    if (field) def(field, 'apiVersion', 'v1');
    const res = vf && child(vf, 'resourceFieldRef');
    if (res) def(res, 'divisor', '0');
  });
}

function defaultVolume(v: JsonObject): void {
  for (const src of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const s = child(v, src);
    if (s) def(s, 'defaultMode', 420);
  }
}

/** PodSpec defaults (a pod template's spec or a Pod's spec). */
export function defaultPodSpec(spec: JsonObject): void {
  def(spec, 'restartPolicy', 'Always');
  def(spec, 'dnsPolicy', 'ClusterFirst');
  def(spec, 'schedulerName', 'default-scheduler');
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'securityContext', {});
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) eachObject(spec[list], defaultContainer);
  eachObject(spec.volumes, defaultVolume);
}

function defaultWorkload(kind: string, spec: JsonObject): void {
  switch (kind) {
    case 'Deployment': {
      def(spec, 'replicas', 1);
      def(spec, 'revisionHistoryLimit', 10);
      def(spec, 'progressDeadlineSeconds', 600);
      def(spec, 'strategy', { type: 'RollingUpdate' });
      const s = child(spec, 'strategy');
      if (s) {
        def(s, 'type', 'RollingUpdate');
        if (s.type === 'RollingUpdate') {
          def(s, 'rollingUpdate', {});
          const ru = child(s, 'rollingUpdate');
          if (ru) {
            def(ru, 'maxSurge', '25%');
            def(ru, 'maxUnavailable', '25%');
          }
        }
      }
      break;
    }
    case 'StatefulSet': {
      def(spec, 'replicas', 1);
      def(spec, 'podManagementPolicy', 'OrderedReady');
      def(spec, 'revisionHistoryLimit', 10);
      def(spec, 'updateStrategy', { type: 'RollingUpdate' });
      const s = child(spec, 'updateStrategy');
      if (s && s.type === 'RollingUpdate') {
        def(s, 'rollingUpdate', {});
        const ru = child(s, 'rollingUpdate');
        if (ru) def(ru, 'partition', 0);
      }
      def(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      eachObject(spec.volumeClaimTemplates, (vct) => {
        const vs = child(vct, 'spec');
        if (vs) def(vs, 'volumeMode', 'Filesystem');
      });
      break;
    }
    case 'DaemonSet': {
      def(spec, 'revisionHistoryLimit', 10);
      def(spec, 'updateStrategy', { type: 'RollingUpdate' });
      const s = child(spec, 'updateStrategy');
      if (s && s.type === 'RollingUpdate') {
        def(s, 'rollingUpdate', {});
        const ru = child(s, 'rollingUpdate');
        if (ru) {
          def(ru, 'maxUnavailable', 1);
          def(ru, 'maxSurge', 0);
        }
      }
      break;
    }
    case 'ReplicaSet':
    case 'ReplicationController':
      def(spec, 'replicas', 1);
      break;
    case 'Job':
      defaultJobSpec(spec);
      break;
    case 'CronJob': {
      def(spec, 'concurrencyPolicy', 'Allow');
      def(spec, 'suspend', false);
      def(spec, 'successfulJobsHistoryLimit', 3);
      def(spec, 'failedJobsHistoryLimit', 1);
      // The jobTemplate's JobSpec is not defaulted on the CronJob (only the Jobs it creates are): checked against
      // the real server by test/groundtruth (defaults check).
      break;
    }
  }
}

function defaultJobSpec(spec: JsonObject): void {
  def(spec, 'completions', 1);
  def(spec, 'parallelism', 1);
  def(spec, 'backoffLimit', 6);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
}

function defaultService(spec: JsonObject): void {
  def(spec, 'type', 'ClusterIP');
  if (spec.type === 'ExternalName') return;
  def(spec, 'sessionAffinity', 'None');
  def(spec, 'ipFamilies', ['IPv4']);
  def(spec, 'ipFamilyPolicy', 'SingleStack');
  def(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') def(spec, 'externalTrafficPolicy', 'Cluster');
  eachObject(spec.ports, (p) => {
    def(p, 'protocol', 'TCP');
    def(p, 'targetPort', p.port);
  });
}

/** Folds `stringData` into base64 `data` (stringData wins), as the API server does on write. */
export function foldSecretStringData(secret: JsonObject): void {
  const sd = secret.stringData;
  if (!isObject(sd)) {
    delete secret.stringData;
    return;
  }
  const data: JsonObject = isObject(secret.data) ? secret.data : {};
  for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(v === null || v === undefined ? '' : String(v), 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

/** admissionregistration v1beta1 had looser defaults than v1 (Ignore/Exact/30s/sideEffects Unknown). */
function defaultWebhooks(obj: JsonObject, mutating: boolean, beta: boolean): void {
  eachObject(obj.webhooks, (w) => {
    def(w, 'failurePolicy', beta ? 'Ignore' : 'Fail');
    def(w, 'matchPolicy', beta ? 'Exact' : 'Equivalent');
    def(w, 'namespaceSelector', {});
    def(w, 'objectSelector', {});
    def(w, 'timeoutSeconds', beta ? 30 : 10);
    if (beta) {
      def(w, 'sideEffects', 'Unknown');
      def(w, 'admissionReviewVersions', ['v1beta1']);
    }
    if (mutating) def(w, 'reinvocationPolicy', 'Never');
    const svc = at(w, ['clientConfig', 'service']);
    if (svc) def(svc, 'port', 443);
    eachObject(w.rules, (r) => def(r, 'scope', '*'));
  });
}

/** rbac/v1 SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject: an empty apiGroup is defaulted (Go: len == 0). */
function defaultRoleBinding(obj: JsonObject): void {
  const ref = child(obj, 'roleRef');
  if (ref && (ref.apiGroup === undefined || ref.apiGroup === null || ref.apiGroup === '')) ref.apiGroup = 'rbac.authorization.k8s.io';
  eachObject(obj.subjects, (s) => {
    if ((s.apiGroup === undefined || s.apiGroup === null || s.apiGroup === '') && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = 'rbac.authorization.k8s.io';
  });
}

/** A copy of `obj` with the defaults the real API server would add on create/update. */
export function applyServerDefaults<T extends KubeObject>(obj: T): T {
  return applyServerDefaultsInPlace(clone(obj));
}

/** applyServerDefaults without the copy, for an object the caller owns (the diff pipeline's own copies). */
export function applyServerDefaultsInPlace<T extends KubeObject>(out: T): T {
  const group = groupOf(out.apiVersion ?? '');
  const kind = out.kind;
  const spec = child(out, 'spec');
  if (group === '' && kind === 'Secret') {
    foldSecretStringData(out);
    def(out, 'type', 'Opaque');
  }
  if (group === '' && kind === 'Service' && spec) defaultService(spec);
  if (group === 'rbac.authorization.k8s.io' && (kind === 'RoleBinding' || kind === 'ClusterRoleBinding')) defaultRoleBinding(out);
  if (group === 'admissionregistration.k8s.io' && kind.endsWith('WebhookConfiguration')) defaultWebhooks(out, kind.startsWith('Mutating'), out.apiVersion.endsWith('v1beta1'));
  if (spec && (group === 'apps' || group === 'batch' || group === 'extensions' || group === '')) defaultWorkload(kind, spec);
  const podPath = podSpecPath(kind);
  const podSpec = podPath && at(out, podPath);
  if (podSpec && (group === '' || group === 'apps' || group === 'batch' || group === 'extensions')) defaultPodSpec(podSpec);
  return out;
}
