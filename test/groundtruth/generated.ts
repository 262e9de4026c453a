// Generated variants of the common kinds, written the way people write them in Git: short quantity spellings,
// ports without protocol, int-or-string as names and percentages, stringData Secrets, defaults left out.
import type { KubeObject } from '../../src/core/model';
import type { CorpusObject } from './corpus';

export const GEN_NS = 'gt-gen';

const labels = (name: string) => ({ app: name, 'app.kubernetes.io/part-of': 'ground-truth' });

function podSpec(name: string, variant: number): Record<string, unknown> {
  const container: Record<string, unknown> = {
    name: 'app',
    image: variant % 2 ? `registry.example.com/${name}:1.${variant}` : `nginx`,
    ports: variant % 3 === 0 ? [{ containerPort: 8080, name: 'http' }] : [{ containerPort: 8080, name: 'http', protocol: 'TCP' }, { containerPort: 8125, protocol: 'UDP', name: 'statsd' }],
    env: [
      { name: 'MODE', value: 'production' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ...(variant % 2 ? [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', containerName: 'app' } } }] : []),
    ],
    resources: {
      requests: { cpu: variant % 2 ? 0.25 : '100m', memory: variant % 2 ? '128Mi' : '0.5Gi' },
      limits: { cpu: variant % 2 ? '1' : 1.5, memory: variant % 2 ? '1024Mi' : '1G' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
    livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 5 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, { name: 'cache', mountPath: '/cache' }],
  };
  return {
    containers: [container, ...(variant % 2 ? [{ name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'], resources: { limits: { memory: '64Mi' } } }] : [])],
    ...(variant % 2 ? { initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['true'] }] } : {}),
    volumes: [
      { name: 'config', configMap: { name: `${name}-config` } },
      { name: 'cache', emptyDir: variant % 2 ? { sizeLimit: '0.5Gi' } : {} },
    ],
    ...(variant % 2 ? { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }] } : {}),
    ...(variant % 3 === 1 ? { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: name } } } }] } } } : {}),
    ...(variant % 3 === 2 ? { securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 }, serviceAccountName: `${name}-sa` } : {}),
  };
}

function meta(name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace: GEN_NS, labels: labels(name), ...extra };
}

function workloads(v: number): KubeObject[] {
  const n = (k: string) => `${k}-${v}`;
  const tmpl = (name: string) => ({ metadata: { labels: labels(name), ...(v % 2 ? { annotations: { 'prometheus.io/scrape': 'true' } } : {}) }, spec: podSpec(name, v) });
  const out: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(n('deploy')),
      spec: {
        replicas: v + 1,
        selector: { matchLabels: labels(n('deploy')) },
        template: tmpl(n('deploy')),
        ...(v % 2 ? { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } } } : {}),
        ...(v === 2 ? { strategy: { type: 'Recreate' } } : {}),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(n('sts')),
      spec: {
        serviceName: n('sts'),
        replicas: 1,
        selector: { matchLabels: labels(n('sts')) },
        template: tmpl(n('sts')),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: v % 2 ? '1Gi' : '1024Mi' } } } }],
      },
    },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(n('ds')), spec: { selector: { matchLabels: labels(n('ds')) }, template: tmpl(n('ds')) } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(n('cron')),
      spec: { schedule: '*/15 * * * *', ...(v % 2 ? { concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' } : {}), jobTemplate: { spec: { template: { spec: { ...podSpec(n('cron'), v), restartPolicy: 'OnFailure' } } } } },
    },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(n('job')), spec: { backoffLimit: 2, template: { spec: { ...podSpec(n('job'), v), restartPolicy: 'Never' } } } },
  ];
  return out;
}

function services(v: number): KubeObject[] {
  const n = (k: string) => `${k}-${v}`;
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(n('svc')),
      spec: {
        ...(v % 3 === 1 ? { type: 'NodePort' } : {}),
        selector: labels(n('deploy')),
        ports: [
          { name: 'http', port: 80, targetPort: v % 2 ? 'http' : 8080 },
          ...(v % 2 ? [{ name: 'dns-udp', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] : []),
        ],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(n('headless')), spec: { clusterIP: 'None', selector: labels(n('sts')), ports: [{ port: 5432 }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(n('ing'), { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } }),
      spec: {
        ...(v % 2 ? { ingressClassName: 'nginx', tls: [{ hosts: [`app${v}.example.com`], secretName: n('tls') }] } : {}),
        rules: [{ host: `app${v}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: n('svc'), port: { name: 'http' } } } }, { path: '/api', pathType: 'ImplementationSpecific', backend: { service: { name: n('svc'), port: { number: 80 } } } }] } }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(n('netpol')),
      spec: {
        podSelector: { matchLabels: labels(n('deploy')) },
        ...(v % 2 ? { policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 443 }] }] } : {}),
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }, { podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['frontend'] }] } }], ports: [{ protocol: 'TCP', port: 'http' }, { port: 9090 }] }],
      },
    },
  ];
}

function config(v: number): KubeObject[] {
  const n = (k: string) => `${k}-${v}`;
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`deploy-${v}-config`), data: { 'app.yaml': `mode: production\nreplicas: ${v}\n`, LOG_LEVEL: 'info', empty: '' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(n('bin')), binaryData: { blob: 'AAECAw==' }, ...(v % 2 ? { immutable: false } : {}) },
    v % 2
      ? { apiVersion: 'v1', kind: 'Secret', metadata: meta(n('secret')), type: 'Opaque', stringData: { username: 'app', password: `s3cr3t-${v}` } }
      : { apiVersion: 'v1', kind: 'Secret', metadata: meta(n('secret')), data: { token: Buffer.from(`tok-${v}`).toString('base64') } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(n('tls')), type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('cert').toString('base64'), 'tls.key': Buffer.from('key').toString('base64') } },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(n('pvc')), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: v % 2 ? '10Gi' : '0.5Ti' } }, ...(v % 2 ? { storageClassName: 'standard', volumeMode: 'Filesystem' } : {}) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(`deploy-${v}-sa`), ...(v % 2 ? { automountServiceAccountToken: false, imagePullSecrets: [{ name: 'regcred' }] } : {}) },
  ];
}

function policy(v: number): KubeObject[] {
  const n = (k: string) => `${k}-${v}`;
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(n('hpa')),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n('deploy') },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
          ...(v % 2 ? [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '0.5Gi' } } }] : []),
        ],
        ...(v % 2 ? { behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } } } : {}),
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(n('pdb')), spec: { ...(v % 2 ? { maxUnavailable: '25%' } : { minAvailable: 1 }), selector: { matchLabels: labels(n('deploy')) } } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(n('role')), rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(n('rb')), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n('role') }, subjects: [{ kind: 'ServiceAccount', name: `deploy-${v}-sa`, namespace: GEN_NS }, { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `gt-gen-${n('cr')}`, labels: labels(n('cr')) }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `gt-gen-${n('crb')}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `gt-gen-${n('cr')}` }, subjects: [{ kind: 'ServiceAccount', name: `deploy-${v}-sa`, namespace: GEN_NS }] },
  ];
}

function gitops(v: number): KubeObject[] {
  const n = (k: string) => `${k}-${v}`;
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: n('gt-app'), namespace: GEN_NS, ...(v % 2 ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}) },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/example/gitops.git', targetRevision: 'main', path: `apps/${v}`, ...(v % 2 ? { kustomize: { images: ['nginx=nginx:1.27'] } } : {}) },
        destination: { server: 'https://kubernetes.default.svc', namespace: n('target') },
        syncPolicy: v % 2 ? { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] } : {},
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      },
    },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: n('gt-repo'), namespace: GEN_NS },
      spec: { interval: v % 2 ? '1m0s' : '5m', url: 'https://github.com/example/gitops', ref: { branch: 'main' } },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: n('gt-ks'), namespace: GEN_NS },
      spec: { interval: '10m', path: `./apps/${v}`, prune: true, sourceRef: { kind: 'GitRepository', name: n('gt-repo') }, ...(v % 2 ? { targetNamespace: n('target'), timeout: '2m', patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n', target: { kind: 'Deployment' } }] } : {}) },
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: n('gt-hr'), namespace: GEN_NS },
      spec: { interval: '30m', chart: { spec: { chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } }, values: { replicaCount: v, resources: { limits: { memory: '256Mi' } } }, ...(v % 2 ? { driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] } } : {}) },
    },
  ];
}

/** Three variants of each kind. */
export function generatedObjects(): CorpusObject[] {
  const out: CorpusObject[] = [];
  for (let v = 0; v < 3; v++) {
    for (const object of [...workloads(v), ...services(v), ...config(v), ...policy(v)]) out.push({ origin: 'generated', from: `generated v${v}`, object, manager: v === 1 ? 'kustomize-controller' : 'argocd-controller' });
    for (const object of gitops(v)) out.push({ origin: 'generated', from: `generated v${v}`, object, manager: object.apiVersion.startsWith('argoproj') ? 'argocd-controller' : 'kustomize-controller' });
  }
  return out;
}
