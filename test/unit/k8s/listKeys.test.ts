import * as assert from 'node:assert/strict';
import { listTypeAt, smpMergeKeyAt, usesRetainKeys, type ListTypeResolver } from '../../../src/core/k8s/listKeys';

describe('k8s/listKeys', () => {
  it('knows pod template lists inside every workload kind', () => {
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers']), { type: 'map', keys: ['name'] });
    assert.deepEqual(listTypeAt('batch', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers']), { type: 'map', keys: ['name'] });
    assert.deepEqual(listTypeAt('', 'Pod', ['spec', 'volumes']), { type: 'map', keys: ['name'] });
    assert.deepEqual(listTypeAt('apps', 'StatefulSet', ['spec', 'template', 'spec', 'hostAliases']), { type: 'map', keys: ['ip'] });
    assert.deepEqual(listTypeAt('apps', 'DaemonSet', ['spec', 'template', 'spec', 'topologySpreadConstraints']), { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] });
  });
  it('keys container ports by containerPort+protocol with protocol defaulting to TCP', () => {
    assert.deepEqual(listTypeAt('apps', 'ReplicaSet', ['spec', 'template', 'spec', 'containers', 'ports']), { type: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    assert.deepEqual(listTypeAt('batch', 'Job', ['spec', 'template', 'spec', 'containers', 'env']), { type: 'map', keys: ['name'] });
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'ephemeralContainers', 'volumeMounts']), { type: 'map', keys: ['mountPath'] });
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'volumeDevices']), { type: 'map', keys: ['devicePath'] });
  });
  it('knows Service ports, ServiceAccount secrets, metadata and status lists, webhooks', () => {
    assert.deepEqual(listTypeAt('', 'Service', ['spec', 'ports']), { type: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    assert.deepEqual(listTypeAt('', 'ServiceAccount', ['secrets']), { type: 'map', keys: ['name'] });
    assert.deepEqual(listTypeAt('', 'ConfigMap', ['metadata', 'ownerReferences']), { type: 'map', keys: ['uid'] });
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['metadata', 'finalizers']), { type: 'set' });
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['status', 'conditions']), { type: 'map', keys: ['type'] });
    assert.deepEqual(listTypeAt('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', ['webhooks']), { type: 'map', keys: ['name'] });
  });
  it('treats unknown and explicitly atomic lists as atomic', () => {
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'tolerations']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'args']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('apps', 'StatefulSet', ['spec', 'volumeClaimTemplates']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['spec', 'items']), { type: 'atomic' });
    // a Service named like a workload path must not pick up pod rules
    assert.deepEqual(listTypeAt('', 'Service', ['spec', 'template', 'spec', 'containers']), { type: 'atomic' });
  });
  it('consults the CRD resolver only when the built-in table has no answer', () => {
    const resolver: ListTypeResolver = (g, k, p) => (g === 'x.io' && p.join('.') === 'spec.items' ? { type: 'map', keys: ['id'] } : undefined);
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['spec', 'items'], resolver), { type: 'map', keys: ['id'] });
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['spec', 'other'], resolver), { type: 'atomic' });
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['metadata', 'finalizers'], resolver), { type: 'set' });
  });
  it('gives SMP merge keys, which differ from SSA keys for ports', () => {
    assert.equal(smpMergeKeyAt('', 'Service', ['spec', 'ports']), 'port');
    assert.equal(smpMergeKeyAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'ports']), 'containerPort');
    assert.equal(smpMergeKeyAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers']), 'name');
    assert.equal(smpMergeKeyAt('apps', 'Deployment', ['spec', 'template', 'spec', 'topologySpreadConstraints']), 'topologyKey');
    assert.equal(smpMergeKeyAt('x.io', 'Foo', ['metadata', 'finalizers']), undefined);
    assert.equal(smpMergeKeyAt('apps', 'Deployment', ['spec', 'template', 'spec', 'tolerations']), undefined);
  });
  it('marks retainKeys structs', () => {
    assert.equal(usesRetainKeys('apps', 'Deployment', ['spec', 'strategy']), true);
    assert.equal(usesRetainKeys('apps', 'StatefulSet', ['spec', 'template', 'spec', 'volumes']), true);
    assert.equal(usesRetainKeys('apps', 'Deployment', ['spec', 'template']), false);
  });
});
