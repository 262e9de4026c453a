import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { fieldsToPathKeys, fieldsToPaths, managerOf, ownedPathsOf, pathKey, pathsToFields, type FieldPath } from '../../../src/core/k8s/fieldsV1';

const fields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:containers': {
      'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
    },
    'f:finalizers': { 'v:"a/b"': {} },
    'f:args': { 'i:0': {} },
  },
};

function obj(managedFields: KubeObject['metadata']['managedFields']): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields } };
}

describe('k8s/fieldsV1', () => {
  it('decodes f:, k:, v:, i: and . into paths', () => {
    const keys = fieldsToPaths(fields).map((p) => p.map((e) => JSON.stringify(e)).join('/'));
    assert.ok(keys.includes('{"field":"metadata"}/{"field":"labels"}'), 'labels owned itself via .');
    assert.ok(keys.includes('{"field":"metadata"}/{"field":"labels"}/{"field":"app"}'));
    assert.ok(keys.includes('{"field":"spec"}/{"field":"containers"}/{"key":{"name":"web"}}'));
    assert.ok(keys.includes('{"field":"spec"}/{"field":"containers"}/{"key":{"name":"web"}}/{"field":"ports"}/{"key":{"containerPort":80,"protocol":"TCP"}}/{"field":"containerPort"}'));
    assert.ok(keys.includes('{"field":"spec"}/{"field":"finalizers"}/{"value":"a/b"}'));
    assert.ok(keys.includes('{"field":"spec"}/{"field":"args"}/{"index":0}'));
    assert.ok(!keys.includes('{"field":"spec"}'), 'intermediate nodes without . are not owned');
  });
  it('builds the same path keys as decoding then keying, skipping malformed keys', () => {
    const odd = { ...fields, 'k:{bad': { 'f:x': {} }, 'k:"notAnObject"': {}, 'x:unknown': {}, 'f:status': { 'v:{"b":1,"a":2}': {}, 'k:{"z":1,"y":"q"}': { 'f:w': {} } } };
    const keys = fieldsToPathKeys(odd);
    assert.deepEqual(keys, fieldsToPaths(odd).map(pathKey));
    assert.ok(keys.includes(pathKey([{ field: 'status' }, { value: { a: 2, b: 1 } }])), 'value keys are canonical');
    assert.ok(!keys.some((k) => k.includes('bad') || k.includes('notAnObject') || k.includes('unknown')));
    assert.equal(keys.length, 10);
  });
  it('round-trips paths to fieldsV1', () => {
    assert.deepEqual(pathsToFields(fieldsToPaths(fields)), fields);
  });
  it('compares key objects independent of key order', () => {
    const a: FieldPath = [{ key: { containerPort: 80, protocol: 'TCP' } }];
    const b: FieldPath = [{ key: { protocol: 'TCP', containerPort: 80 } }];
    assert.equal(pathKey(a), pathKey(b));
  });
  it('collects owned paths per manager or predicate, ignoring subresources', () => {
    const o = obj([
      { manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:x': {} } } } },
      { manager: 'argocd-controller', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:ready': {} } } },
    ]);
    assert.deepEqual(ownedPathsOf(o, 'argocd-controller'), [[{ field: 'spec' }, { field: 'replicas' }]]);
    assert.equal(ownedPathsOf(o, (e) => e.operation === 'Update').length, 1);
  });
  it('attributes a path to the deepest owner, latest time on ties', () => {
    const o = obj([
      { manager: 'argocd-controller', operation: 'Apply', time: '2026-01-01T00:00:00Z', fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } } } },
      { manager: 'kubectl-edit', operation: 'Update', time: '2026-01-02T00:00:00Z', fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:env': { 'k:{"name":"DEBUG"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } },
      { manager: 'other', operation: 'Update', time: '2026-01-03T00:00:00Z', fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } },
    ]);
    const web = [{ field: 'spec' }, { field: 'containers' }, { key: { name: 'web' } }];
    assert.deepEqual(managerOf(o, [...web, { field: 'env' }, { key: { name: 'DEBUG' } }, { field: 'value' }]), { manager: 'kubectl-edit', operation: 'Update', time: '2026-01-02T00:00:00Z' });
    assert.equal(managerOf(o, [...web, { field: 'image' }])?.manager, 'other');
    assert.equal(managerOf(o, [...web, { field: 'resources' }])?.manager, 'argocd-controller');
    assert.equal(managerOf(o, [{ field: 'metadata' }]), undefined);
  });
  it('attributes a field written through the scale subresource to its manager (kubectl scale)', () => {
    const obj: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        managedFields: [
          { manager: 'argocd-controller', operation: 'Apply', time: '2026-01-01T00:00:00Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
          { manager: 'kubectl', operation: 'Update', subresource: 'scale', time: '2026-01-02T00:00:00Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
        ],
      },
    };
    assert.equal(managerOf(obj, [{ field: 'spec' }, { field: 'replicas' }])?.manager, 'kubectl');
  });
});
