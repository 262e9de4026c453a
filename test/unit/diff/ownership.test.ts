import * as assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { detectApplier, leafPaths, ownershipOf } from '../../../src/core/diff/ownership';
import { pathKey } from '../../../src/core/k8s/fieldsV1';
import { formatPath } from '../../../src/core/diff/formatPath';
import { mergeObjects } from '../../../src/core/diff/merge';

const obj = (managedFields: ManagedFieldsEntry[], annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields, annotations }, data: { a: '1' } });
const apply = (manager: string, fieldsV1: Record<string, unknown> = { 'f:data': { 'f:a': {} } }): ManagedFieldsEntry => ({ manager, operation: 'Apply', fieldsV1 });

describe('diff/ownership', () => {
  it('detects the applier: explicit, known controller, or the only Apply manager', () => {
    assert.equal(detectApplier(obj([apply('someone'), apply('kustomize-controller')])), 'kustomize-controller');
    assert.equal(detectApplier(obj([apply('my-tool')])), 'my-tool');
    assert.equal(detectApplier(obj([apply('a'), apply('b')])), undefined);
    assert.equal(detectApplier(obj([{ manager: 'argocd-controller', operation: 'Update', fieldsV1: {} }])), undefined, 'Update entries do not count');
    assert.equal(detectApplier(obj([apply('a'), apply('b')]), 'b'), 'b');
  });
  it('takes our Apply paths minus those another manager also owns', () => {
    const o = obj([apply('argocd-controller', { 'f:data': { 'f:a': {}, 'f:b': {} } }), { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } }]);
    const own = ownershipOf(o, {});
    assert.equal(own.source, 'managedFields');
    assert.deepEqual([...own.owned], [pathKey([{ field: 'data' }, { field: 'a' }])]);
  });
  it('falls back to last-applied leaf paths (keyed items, atomic lists whole), then to none', () => {
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'a', args: ['x'] }] } } } };
    const own = ownershipOf({ ...obj([]), metadata: { name: 'd', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied) } } }, {});
    assert.equal(own.source, 'last-applied');
    const paths = leafPaths(applied as KubeObject).map(formatPath);
    assert.deepEqual(paths, ['metadata.name', 'metadata.namespace', 'spec.template.spec.containers[name=web]', 'spec.template.spec.containers[name=web].name', 'spec.template.spec.containers[name=web].image', 'spec.template.spec.containers[name=web].args']);
    assert.equal(ownershipOf(obj([], { 'kubectl.kubernetes.io/last-applied-configuration': '{broken' }), {}).source, 'none');
    assert.equal(ownershipOf(obj([]), {}).source, 'none');
  });
});

describe('diff/merge', () => {
  const ctx = (owned: string[] = []) => ({ group: '', kind: 'ConfigMap', owned: new Set(owned) });
  it('unions set lists and removes owned set items desired dropped', () => {
    const l = { metadata: { finalizers: ['a', 'b', 'c'] } };
    const d = { metadata: { finalizers: ['a', 'd'] } };
    const owned = [pathKey([{ field: 'metadata' }, { field: 'finalizers' }, { value: 'b' }])];
    assert.deepEqual(mergeObjects(l, d, ctx(owned)), { metadata: { finalizers: ['a', 'd', 'c'] } });
  });
  it('replaces atomic lists unless desired is a positional subset of live', () => {
    assert.deepEqual(mergeObjects({ x: [{ a: 1, b: 2 }] }, { x: [{ a: 1 }] }, ctx()), { x: [{ a: 1, b: 2 }] });
    assert.deepEqual(mergeObjects({ x: [{ a: 1, b: 2 }] }, { x: [{ a: 3 }] }, ctx()), { x: [{ a: 3 }] });
  });
  it('removes owned fields desired dropped, keeps foreign ones, and prunes emptied owned maps', () => {
    const owned = [pathKey([{ field: 'data' }, { field: 'a' }]), pathKey([{ field: 'spec' }, { field: 'x' }, { field: 'y' }])];
    assert.deepEqual(mergeObjects({ data: { a: '1', b: '2' }, spec: { x: { y: 1 } } }, { kind: 'K' }, ctx(owned)), { data: { b: '2' }, kind: 'K' });
  });
  it('returns a result that shares no object or array with live or desired (the pipeline edits it in place)', () => {
    const l = { keep: { deep: { v: 1 } }, list: [{ a: 1 }], metadata: { finalizers: ['a'] } };
    const d = { extra: { e: [1] }, list: [{ a: 1 }], metadata: { finalizers: ['a', 'b'] } };
    const inputs = new Set<unknown>();
    const collect = (v: unknown, into: Set<unknown>): void => {
      if (typeof v !== 'object' || v === null) return;
      into.add(v);
      for (const c of Object.values(v)) collect(c, into);
    };
    collect(l, inputs);
    collect(d, inputs);
    const out = new Set<unknown>();
    const merged = mergeObjects(l, d, ctx());
    collect(merged, out);
    assert.deepEqual(merged, { keep: { deep: { v: 1 } }, list: [{ a: 1 }], metadata: { finalizers: ['a', 'b'] }, extra: { e: [1] } });
    for (const o of out) assert.ok(!inputs.has(o), `shared: ${JSON.stringify(o)}`);
  });
});
