import * as assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { diffResource } from '../../../src/core/diff';

type J = Record<string, any>;
const ours: ManagedFieldsEntry = {
  manager: 'argocd-controller',
  operation: 'Apply',
  time: '2026-11-01T10:00:00Z',
  fieldsV1: {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } },
  },
};
const edit: ManagedFieldsEntry = {
  manager: 'kubectl-edit',
  operation: 'Update',
  time: '2026-11-02T09:30:00Z',
  fieldsV1: {
    'f:metadata': { 'f:labels': { 'f:hotfix': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:env': { 'k:{"name":"DEBUG"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } },
  },
};
const hpa: ManagedFieldsEntry = { manager: 'kube-controller-manager', operation: 'Update', time: '2026-11-03T00:00:00Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } };

function deployment(env: J[], labels: J, extra: J = {}, managedFields?: ManagedFieldsEntry[]): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels, managedFields }, spec: { ...extra, template: { spec: { containers: [{ name: 'web', image: 'shop:1.2', env }] } } } };
}
const desired = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web' });

describe('diff/live-only edits and attribution', () => {
  it('finds an env var and a label added by kubectl edit, with manager and time', () => {
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DEBUG', value: '1' }], { app: 'web', hotfix: 'yes' }, { replicas: 4 }, [ours, edit, hpa]);
    const r = diffResource(desired, live);
    assert.equal(r.status, 'Modified');
    assert.equal(r.liveOnly, 2);
    const got = r.changes.map((c) => [c.category, c.path, c.live, c.manager, c.time]);
    assert.deepEqual(got, [
      ['live-only', 'metadata.labels.hotfix', 'yes', 'kubectl-edit', '2026-11-02T09:30:00Z'],
      ['live-only', 'spec.template.spec.containers[name=web].env[name=DEBUG]', { name: 'DEBUG', value: '1' }, 'kubectl-edit', '2026-11-02T09:30:00Z'],
    ]);
  });
  it('does not count controller-written fields (HPA replicas) or defaults as live-only', () => {
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web' }, { replicas: 4, revisionHistoryLimit: 10 }, [ours, hpa]);
    const r = diffResource(desired, live);
    assert.equal(r.status, 'Synced', JSON.stringify(r.changes));
    assert.equal(r.liveOnly, 0);
  });
  it('ignores defaulted values recorded under the creating kubectl manager', () => {
    const creator: ManagedFieldsEntry = { manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:spec': { 'f:progressDeadlineSeconds': {}, 'f:paused': {} } } };
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web' }, { progressDeadlineSeconds: 600, paused: true }, [ours, creator]);
    const r = diffResource(desired, live);
    assert.deepEqual(r.changes.map((c) => c.path), ['spec.paused'], 'the default 600 is not an edit, paused: true is');
  });
  it('honours extra human managers and never treats our own applier as human', () => {
    const lens: ManagedFieldsEntry = { manager: 'Lens', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:x': {} } } } };
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web', x: '1' }, {}, [ours, lens]);
    assert.equal(diffResource(desired, live).status, 'Synced');
    assert.equal(diffResource(desired, live, { humanManagers: ['Lens'] }).liveOnly, 1);
    const selfKubectl: ManagedFieldsEntry = { manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:y': {} } } } };
    const live2 = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web', y: '1' }, {}, [selfKubectl]);
    assert.equal(diffResource(desired, live2, { manager: 'kubectl' }).liveOnly, 0);
  });
  it('finds a finalizer (set item) and a toleration list (atomic) added by hand', () => {
    const patch: ManagedFieldsEntry = {
      manager: 'kubectl-patch',
      operation: 'Update',
      time: '2026-11-05T00:00:00Z',
      fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"example.com/hold"': {} } }, 'f:spec': { 'f:template': { 'f:spec': { 'f:tolerations': {} } } } },
    };
    const d = { ...desired, metadata: { ...desired.metadata, finalizers: ['example.com/keep'] } };
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web' }, {}, [ours, patch]);
    live.metadata.finalizers = ['example.com/keep', 'example.com/hold'];
    (live.spec as J).template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    const r = diffResource(d, live);
    assert.deepEqual(r.changes.map((c) => [c.category, c.path, c.manager]), [
      ['live-only', 'metadata.finalizers[=example.com/hold]', 'kubectl-patch'],
      ['live-only', 'spec.template.spec.tolerations', 'kubectl-patch'],
    ]);
  });
  it('attributes modified fields to the latest manager owning them', () => {
    const drifted: ManagedFieldsEntry = { manager: 'kubectl-set', operation: 'Update', time: '2026-11-04T00:00:00Z', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } } };
    const live = deployment([{ name: 'LOG_LEVEL', value: 'info' }], { app: 'web' }, {}, [ours, drifted]);
    live.spec = { template: { spec: { containers: [{ name: 'web', image: 'shop:hotfix', env: [{ name: 'LOG_LEVEL', value: 'info' }] }] } } };
    const r = diffResource(desired, live);
    assert.deepEqual(r.changes.map((c) => [c.category, c.path, c.desired, c.live, c.manager]), [['modified', 'spec.template.spec.containers[name=web].image', 'shop:1.2', 'shop:hotfix', 'kubectl-set']]);
  });
});
