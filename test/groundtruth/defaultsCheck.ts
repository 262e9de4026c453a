// Item 2 of issue 13: every default the offline table (src/core/k8s/defaults.ts) fills in is checked against the
// real server: a minimal object of each kind the table covers is created (server-side dry-run apply, nothing is
// stored) and each field the table adds must come back from the server with the same value.
import type { KubeObject } from '../../src/core/model';
import { applyServerDefaults } from '../../src/core/k8s/defaults';
import { isObject } from '../../src/core/k8s/json';
import { quantitiesEqual } from '../../src/core/diff/quantity';
import { APPLY_PATCH, type KubeRest } from '../emulator/controllers/kube-rest';

const NS = 'gt-defaults';
const labels = { app: 'd' };
const container = (image: string) => ({
  name: 'c',
  image,
  ports: [{ containerPort: 80 }],
  readinessProbe: { httpGet: { path: '/', port: 80 } },
  livenessProbe: { tcpSocket: { port: 80 } },
  env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }],
});
const podSpec = (image = 'nginx:1.27') => ({
  containers: [container(image)],
  initContainers: [{ name: 'i', image: 'busybox' }],
  volumes: [
    { name: 'a', configMap: { name: 'x' } },
    { name: 'b', secret: { secretName: 'y' } },
    { name: 'c', downwardAPI: { items: [{ path: 'l', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'd', projected: { sources: [{ configMap: { name: 'x' } }] } },
  ],
});
const template = (image?: string) => ({ metadata: { labels }, spec: podSpec(image) });

/** One minimal object per kind (and per branch: pull policy of untagged images, Service types) the table covers. */
export function minimalObjects(): KubeObject[] {
  const m = (name: string) => ({ name, namespace: NS });
  const webhook = { name: 'w.example.com', clientConfig: { service: { name: 's', namespace: NS } }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] };
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: m('d'), spec: { selector: { matchLabels: labels }, template: template() } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: m('d-latest'), spec: { selector: { matchLabels: labels }, template: template('nginx') } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: m('s'), spec: { serviceName: 's', selector: { matchLabels: labels }, template: template(), volumeClaimTemplates: [{ metadata: { name: 'v' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: m('ds'), spec: { selector: { matchLabels: labels }, template: template() } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: m('rs'), spec: { selector: { matchLabels: labels }, template: template() } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: m('rc'), spec: { selector: labels, template: template() } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: m('j'), spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: m('cj'), spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'OnFailure' } } } } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: m('p'), spec: podSpec() },
    { apiVersion: 'v1', kind: 'Service', metadata: m('svc'), spec: { selector: labels, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: m('svc-np'), spec: { type: 'NodePort', selector: labels, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: m('svc-ext'), spec: { type: 'ExternalName', externalName: 'example.com' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: m('sec'), stringData: { a: 'b' } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'gt-defaults-m' }, webhooks: [webhook] },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'gt-defaults-v' }, webhooks: [webhook] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: m('rb'), roleRef: { apiGroup: '', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g', apiGroup: '' }] },
  ] as KubeObject[];
}

/** Leaf paths (JSON pointer style) of `v` with their values; lists by position. */
function leaves(v: unknown, path: string[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (isObject(v) && Object.keys(v).length) for (const [k, c] of Object.entries(v)) leaves(c, [...path, k], out);
  else if (Array.isArray(v) && v.length) v.forEach((c, i) => leaves(c, [...path, String(i)], out));
  else out.set(`/${path.join('/')}`, v);
  return out;
}

function at(obj: unknown, pointer: string): unknown {
  let cur = obj;
  for (const p of pointer.split('/').slice(1)) cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
  return cur;
}

export interface DefaultsCheck {
  kinds: number;
  /** Fields the table fills in, over all minimal objects. */
  checked: number;
  mismatches: string[];
}

/** Dry-run applies each minimal object (as kubectl would) and compares what the table adds with what the server stored. */
export async function checkDefaults(rest: KubeRest): Promise<DefaultsCheck> {
  await rest.call('PATCH', `/api/v1/namespaces/${NS}`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, contentType: APPLY_PATCH, query: { fieldManager: 'gt-setup', force: 'true' } });
  // no controller-manager: the `default` ServiceAccount Pods need is made here
  await rest.call('PATCH', `/api/v1/namespaces/${NS}/serviceaccounts/default`, { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } }, contentType: APPLY_PATCH, query: { fieldManager: 'gt-setup', force: 'true' } });
  const out: DefaultsCheck = { kinds: 0, checked: 0, mismatches: [] };
  for (const obj of minimalObjects()) {
    const server = await rest.call('PATCH', await rest.objectPath(obj), { body: obj, contentType: APPLY_PATCH, query: { fieldManager: 'gt-defaults', force: 'true', dryRun: 'All' } });
    out.kinds++;
    const before = leaves(obj);
    const table = leaves(applyServerDefaults(obj));
    for (const [p, v] of table) {
      if (before.has(p) && before.get(p) === v) continue; // not a default: the object had it
      if (p.startsWith('/stringData') || p.startsWith('/data')) continue; // Secret folding is N7, not a default
      out.checked++;
      const s = at(server, p);
      const same = JSON.stringify(s) === JSON.stringify(v) || quantitiesEqual(s, v) || (isObject(v) && Object.keys(v).length === 0 && s !== undefined);
      if (!same) out.mismatches.push(`${obj.kind} ${obj.metadata.name} ${p}: table ${JSON.stringify(v)}, server ${JSON.stringify(s)}`);
    }
  }
  return out;
}
