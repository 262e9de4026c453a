// The emulator's schema knowledge comes from the vendored Kubernetes OpenAPI v3 documents, unmodified.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinFieldInfo, hasBuiltinSchema, objectMetaFieldInfo } from './builtinSchema';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'kubernetes-openapi-v3');

describe('built-in schemas from the vendored OpenAPI v3 documents', () => {
  it('are byte-identical to the files SOURCES.md lists', () => {
    const sources = readFileSync(join(FIXTURES, 'SOURCES.md'), 'utf8');
    const rows = [...sources.matchAll(/^\| `([^`]+)` \| `([0-9a-f]{64})` \|$/gm)];
    assert.ok(rows.length >= 10, 'SOURCES.md lists the files with their sha256');
    for (const [, file, sha] of rows) assert.equal(createHash('sha256').update(readFileSync(join(FIXTURES, file))).digest('hex'), sha, file);
  });

  it('reads list types, merge keys and key defaults of a pod template', () => {
    const at = (...p: string[]) => builtinFieldInfo('apps', 'Deployment', ['spec', 'template', 'spec', ...p]);
    assert.deepEqual(at('containers')?.listType, { type: 'map', keys: ['name'], keyDefaults: { name: '' } });
    assert.deepEqual(at('containers', 'ports')?.listType, { type: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { containerPort: 0, protocol: 'TCP' } });
    assert.equal(at('containers', 'ports')?.patchMergeKey, 'containerPort');
    assert.deepEqual(at('volumes')?.patchStrategy, ['merge', 'retainKeys']);
    assert.deepEqual(at('tolerations')?.listType, { type: 'atomic' });
    assert.deepEqual(at('containers', 'args')?.listType, { type: 'atomic' });
    assert.equal(at('nodeSelector')?.mapType, 'atomic');
    assert.equal(at('containers', 'resources', 'limits', 'cpu')?.format, 'quantity');
    assert.equal(at('containers', 'livenessProbe', 'httpGet', 'port')?.format, 'int-or-string');
  });

  it('reads struct-level map types, patch strategies and status lists', () => {
    assert.equal(builtinFieldInfo('apps', 'Deployment', ['spec', 'selector'])?.mapType, 'atomic');
    assert.deepEqual(builtinFieldInfo('apps', 'Deployment', ['spec', 'strategy'])?.patchStrategy, ['retainKeys']);
    assert.deepEqual(builtinFieldInfo('policy', 'PodDisruptionBudget', ['spec', 'selector'])?.patchStrategy, ['replace']);
    assert.deepEqual(builtinFieldInfo('', 'Service', ['spec', 'ports'])?.listType, { type: 'map', keys: ['port', 'protocol'], keyDefaults: { port: 0, protocol: 'TCP' } });
    // JobStatus.conditions is +listType=atomic (though SMP merges it by type).
    assert.deepEqual(builtinFieldInfo('batch', 'Job', ['status', 'conditions'])?.listType, { type: 'atomic' });
    assert.equal(builtinFieldInfo('batch', 'Job', ['status', 'conditions'])?.patchMergeKey, 'type');
    assert.equal(builtinFieldInfo('rbac.authorization.k8s.io', 'RoleBinding', ['roleRef'])?.mapType, 'atomic');
  });

  it('knows ObjectMeta for every kind and Scale in autoscaling/v1', () => {
    assert.deepEqual(objectMetaFieldInfo(['metadata', 'finalizers'])?.listType, { type: 'set' });
    assert.deepEqual(objectMetaFieldInfo(['metadata', 'ownerReferences'])?.listType, { type: 'map', keys: ['uid'], keyDefaults: { uid: '' } });
    assert.ok(hasBuiltinSchema('autoscaling', 'Scale'));
    assert.ok(hasBuiltinSchema('autoscaling', 'HorizontalPodAutoscaler', 'v2'));
    assert.ok(!hasBuiltinSchema('argoproj.io', 'Application'));
    assert.equal(builtinFieldInfo('apps', 'Deployment', ['spec', 'nope']), undefined);
  });
});
