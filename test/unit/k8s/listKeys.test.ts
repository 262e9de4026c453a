import * as assert from 'node:assert/strict';
import { formatAt, listTypeAt, mapTypeAt, podSpecPath, smpMergeKeyAt, usesRetainKeys, type ListType, type ListTypeResolver } from '../../../src/core/k8s/listKeys';
import { builtinSchema } from '../../../src/core/schema/builtinSchema';

/** keys of a map list, `set`, or `atomic` */
const kind = (lt: ListType): string | string[] => (lt.type === 'map' ? lt.keys : lt.type);

describe('k8s/listKeys (from the built-in schema snapshot)', () => {
  it('knows pod template lists inside every workload kind', () => {
    assert.deepEqual(kind(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers'])), ['name']);
    assert.deepEqual(kind(listTypeAt('batch', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers'])), ['name']);
    assert.deepEqual(kind(listTypeAt('', 'Pod', ['spec', 'volumes'])), ['name']);
    assert.deepEqual(kind(listTypeAt('apps', 'StatefulSet', ['spec', 'template', 'spec', 'hostAliases'])), ['ip']);
    assert.deepEqual(kind(listTypeAt('apps', 'DaemonSet', ['spec', 'template', 'spec', 'topologySpreadConstraints'])), ['topologyKey', 'whenUnsatisfiable']);
  });
  it('keys container ports by containerPort+protocol with protocol defaulting to TCP (the schema default)', () => {
    const ports = listTypeAt('apps', 'ReplicaSet', ['spec', 'template', 'spec', 'containers', 'ports']);
    assert.deepEqual(kind(ports), ['containerPort', 'protocol']);
    assert.equal(ports.type === 'map' && ports.keyDefaults?.protocol, 'TCP');
    assert.deepEqual(kind(listTypeAt('batch', 'Job', ['spec', 'template', 'spec', 'containers', 'env'])), ['name']);
    assert.deepEqual(kind(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'ephemeralContainers', 'volumeMounts'])), ['mountPath']);
    assert.deepEqual(kind(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'volumeDevices'])), ['devicePath']);
  });
  it('knows Service ports, ServiceAccount secrets, metadata and status lists, webhooks', () => {
    const ports = listTypeAt('', 'Service', ['spec', 'ports']);
    assert.deepEqual(kind(ports), ['port', 'protocol']);
    assert.equal(ports.type === 'map' && ports.keyDefaults?.protocol, 'TCP');
    assert.deepEqual(kind(listTypeAt('', 'ServiceAccount', ['secrets'])), ['name']);
    assert.deepEqual(kind(listTypeAt('', 'ConfigMap', ['metadata', 'ownerReferences'])), ['uid']);
    assert.deepEqual(kind(listTypeAt('x.io', 'Foo', ['metadata', 'finalizers'])), 'set');
    assert.deepEqual(kind(listTypeAt('', 'Pod', ['status', 'conditions'])), ['type']);
    assert.deepEqual(kind(listTypeAt('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', ['webhooks'])), ['name']);
    assert.deepEqual(kind(listTypeAt('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', ['webhooks', 'matchConditions'])), ['name']);
  });
  it('treats unknown and explicitly atomic lists as atomic', () => {
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'tolerations']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'args']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('apps', 'StatefulSet', ['spec', 'volumeClaimTemplates']), { type: 'atomic' });
    assert.deepEqual(listTypeAt('x.io', 'Foo', ['spec', 'items']), { type: 'atomic' });
    // a Service named like a workload path must not pick up pod rules
    assert.deepEqual(listTypeAt('', 'Service', ['spec', 'template', 'spec', 'containers']), { type: 'atomic' });
  });
  it('consults the CRD resolver for kinds no schema describes', () => {
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
  it('knows atomic maps the old table merged key by key (label selectors, Service selector, nodeSelector)', () => {
    assert.equal(mapTypeAt('apps', 'Deployment', ['spec', 'selector']), 'atomic');
    assert.equal(mapTypeAt('', 'Service', ['spec', 'selector']), 'atomic');
    assert.equal(mapTypeAt('apps', 'Deployment', ['spec', 'template', 'spec', 'nodeSelector']), 'atomic');
    assert.equal(mapTypeAt('networking.k8s.io', 'NetworkPolicy', ['spec', 'podSelector']), 'atomic');
    assert.equal(mapTypeAt('', 'ConfigMap', ['metadata', 'labels']), 'granular');
    assert.equal(mapTypeAt('', 'ConfigMap', ['data']), 'granular');
  });
  it('knows value formats everywhere the schema declares them', () => {
    assert.equal(formatAt('apps', 'Deployment', ['spec', 'template', 'spec', 'containers', 'resources', 'limits', 'memory']), 'quantity');
    assert.equal(formatAt('', 'PersistentVolumeClaim', ['spec', 'resources', 'requests', 'storage']), 'quantity');
    assert.equal(formatAt('', 'ResourceQuota', ['spec', 'hard', 'pods']), 'quantity');
    assert.equal(formatAt('', 'LimitRange', ['spec', 'limits', 'max', 'cpu']), 'quantity');
    assert.equal(formatAt('', 'Pod', ['spec', 'overhead', 'cpu']), 'quantity');
    assert.equal(formatAt('storage.k8s.io', 'CSIStorageCapacity', ['capacity']), 'quantity');
    assert.equal(formatAt('apps', 'Deployment', ['spec', 'template', 'spec', 'volumes', 'emptyDir', 'sizeLimit']), 'quantity');
    assert.equal(formatAt('policy', 'PodDisruptionBudget', ['spec', 'minAvailable']), 'int-or-string');
    assert.equal(formatAt('', 'Service', ['spec', 'ports', 'targetPort']), 'int-or-string');
    assert.equal(formatAt('', 'ConfigMap', ['metadata', 'creationTimestamp']), 'date-time');
    assert.equal(formatAt('', 'ConfigMap', ['data', 'limits']), undefined);
  });
  it('POD_KINDS (what the defaults walk) agrees with the schema: each path leads to a PodSpec', () => {
    const b = builtinSchema();
    for (const [k, group] of [['Pod', ''], ['PodTemplate', ''], ['Deployment', 'apps'], ['StatefulSet', 'apps'], ['DaemonSet', 'apps'], ['ReplicaSet', 'apps'], ['ReplicationController', ''], ['Job', 'batch'], ['CronJob', 'batch']] as const) {
      const node = b.nodeAt(group, k, podSpecPath(k)!);
      assert.equal(node?.t, 'core.v1.PodSpec', k);
    }
  });
});
