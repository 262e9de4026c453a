import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { applyStrategicMergePatch, updateManagedFields } from './index';

const corpus = path.resolve(__dirname, '../../fixtures/peer-diff/corpus');
const load = (rel: string): KubeObject => YAML.parse(fs.readFileSync(path.join(corpus, rel), 'utf8')) as KubeObject;
const entry = (mf: ManagedFieldsEntry[], manager: string, sub?: string) => mf.find((e) => e.manager === manager && e.subresource === sub);
const T0 = '2026-01-01T10:00:00Z';

function baseDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', generation: 1, creationTimestamp: T0, labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
      },
    },
  };
}

describe('updateManagedFields against real apiserver output', () => {
  it('reproduces the argocd create entry of live_deployment_with_managed_replica (content and key order)', () => {
    const live = load('argo-cd-util-argo/live_deployment_with_managed_replica.yaml');
    const real = entry(live.metadata.managedFields!, 'argocd')!;
    const created = structuredClone(live);
    delete created.status;
    delete created.metadata.annotations!['deployment.kubernetes.io/revision'];
    delete created.metadata.managedFields;
    const mf = updateManagedFields(undefined, created, { manager: 'argocd', apiVersion: 'apps/v1', time: real.time! });
    assert.equal(mf.length, 1);
    assert.deepEqual(mf[0], { manager: 'argocd', operation: 'Update', apiVersion: 'apps/v1', time: real.time, fieldsType: 'FieldsV1', fieldsV1: real.fieldsV1 });
    assert.equal(JSON.stringify(mf[0].fieldsV1), JSON.stringify(real.fieldsV1));
  });

  it('reproduces the kube-controller-manager status-subresource entry of ssd-deploy-with-manual-apply', () => {
    const live = load('gitops-engine/ssd-deploy-with-manual-apply-live.yaml');
    const real = entry(live.metadata.managedFields!, 'kube-controller-manager', 'status')!;
    const before = structuredClone(live);
    before.status = {};
    delete before.metadata.annotations!['deployment.kubernetes.io/revision'];
    const others = live.metadata.managedFields!.filter((e) => e !== real);
    before.metadata.managedFields = others;
    const after = structuredClone(live);
    delete after.metadata.managedFields;
    // The fixture omits status; give it the one kube-controller-manager's entry describes.
    const cond = (type: string) => ({ type, status: 'True', reason: 'R', message: 'm', lastTransitionTime: T0, lastUpdateTime: T0 });
    after.status = { availableReplicas: 1, conditions: [cond('Available'), cond('Progressing')], observedGeneration: 4, readyReplicas: 1, replicas: 1, updatedReplicas: 1 };
    const mf = updateManagedFields(before, after, { manager: 'kube-controller-manager', apiVersion: 'apps/v1', time: real.time!, subresource: 'status' });
    assert.deepEqual(entry(mf, 'kube-controller-manager', 'status'), real);
    // The other managers' entries are untouched and the result keeps the apiserver's (time) order.
    assert.deepEqual(mf, live.metadata.managedFields);
  });
});

describe('updateManagedFields scenarios', () => {
  it('kubectl edit of replicas + a new env var: an Update entry owning exactly those fields', () => {
    const before = baseDeployment();
    before.metadata.managedFields = updateManagedFields(undefined, before, { manager: 'argocd-controller', apiVersion: 'apps/v1', time: T0 });
    const after = applyStrategicMergePatch(before, { spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', env: [{ name: 'X', value: '1' }] }] } } } }, { group: 'apps', kind: 'Deployment' });
    const mf = updateManagedFields(before, after, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: new Date('2026-01-01T10:05:07.123Z') });
    const edit = entry(mf, 'kubectl-edit')!;
    assert.equal(edit.operation, 'Update');
    assert.equal(edit.time, '2026-01-01T10:05:07Z');
    assert.deepEqual(edit.fieldsV1, {
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:env': { '.': {}, 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
      },
    });
    const argo = entry(mf, 'argocd-controller')!;
    assert.equal(JSON.stringify(argo.fieldsV1).includes('"f:replicas"'), false, 'replicas moved away from argocd-controller');
    assert.ok(JSON.stringify(argo.fieldsV1).includes('"f:image"'));
    assert.deepEqual(mf.map((e) => e.manager), ['argocd-controller', 'kubectl-edit']);
  });

  it('merges repeated writes of one manager, drops emptied entries, and ignores no-op writes', () => {
    const a = baseDeployment();
    a.metadata.managedFields = updateManagedFields(undefined, a, { manager: 'creator', apiVersion: 'apps/v1', time: T0 });
    const b = structuredClone(a);
    (b.spec as { replicas: number }).replicas = 2;
    b.metadata.managedFields = updateManagedFields(a, b, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: '2026-01-01T10:01:00Z' });
    const c = structuredClone(b);
    (c.metadata.labels as Record<string, string>).tier = 'fe';
    c.metadata.managedFields = updateManagedFields(b, c, { manager: 'kubectl-edit', apiVersion: 'apps/v1', time: '2026-01-01T10:02:00Z' });
    const edits = c.metadata.managedFields.filter((e) => e.manager === 'kubectl-edit');
    assert.equal(edits.length, 1);
    assert.equal(edits[0].time, '2026-01-01T10:02:00Z');
    assert.deepEqual(edits[0].fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:spec': { 'f:replicas': {} } });
    // A no-op write leaves everything as it was (no new entry, no new time).
    assert.deepEqual(updateManagedFields(c, structuredClone(c), { manager: 'other', apiVersion: 'apps/v1', time: '2026-01-01T11:00:00Z' }), c.metadata.managedFields);
    // Taking every field of a manager drops its entry; removing a field removes it from its owner.
    const d = structuredClone(c);
    (d.spec as { replicas: number }).replicas = 5;
    delete (d.metadata.labels as Record<string, string>).tier;
    const mf = updateManagedFields(c, d, { manager: 'scaler', apiVersion: 'apps/v1', time: '2026-01-01T10:03:00Z' });
    assert.equal(entry(mf, 'kubectl-edit'), undefined);
    assert.deepEqual(entry(mf, 'scaler')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  it('keeps separate entries per subresource and per apiVersion, and never tracks server fields or status', () => {
    const a = baseDeployment();
    a.metadata.managedFields = updateManagedFields(undefined, a, { manager: 'creator', apiVersion: 'apps/v1', time: T0 });
    const fv = JSON.stringify(a.metadata.managedFields[0].fieldsV1);
    const meta = JSON.stringify((a.metadata.managedFields[0].fieldsV1 as Record<string, unknown>)['f:metadata']);
    assert.equal(meta, '{"f:labels":{".":{},"f:app":{}}}');
    assert.equal(fv.includes('"f:apiVersion"') || fv.includes('"f:kind"'), false);
    const b = structuredClone(a);
    (b.spec as { replicas: number }).replicas = 4;
    b.status = { replicas: 4 };
    b.metadata.resourceVersion = '6';
    b.metadata.generation = 2;
    b.metadata.managedFields = updateManagedFields(a, b, { manager: 'kubectl', apiVersion: 'autoscaling/v1', time: '2026-01-01T10:01:00Z', subresource: 'scale' });
    const scale = entry(b.metadata.managedFields, 'kubectl', 'scale')!;
    assert.deepEqual(scale.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    // Main-resource writes never track status.
    const c = structuredClone(b);
    c.status = { replicas: 5 };
    assert.deepEqual(updateManagedFields(b, c, { manager: 'x', apiVersion: 'apps/v1', time: T0 }), b.metadata.managedFields);
  });

  it('uses SSA keys with defaults for ports and `v:` for set lists', () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', finalizers: ['a/b'] }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] } };
    const mf = updateManagedFields(undefined, svc, { manager: 'm', apiVersion: 'v1', time: T0 });
    assert.deepEqual(mf[0].fieldsV1, {
      'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a/b"': {} } },
      'f:spec': { 'f:ports': { '.': {}, 'k:{"port":53,"protocol":"UDP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} }, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } },
    });
  });
});
