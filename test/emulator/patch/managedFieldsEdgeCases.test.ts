import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/core/model';
import { serverSideApply, updateManagedFields } from './index';

const cm = (data: Record<string, string>, managedFields?: ManagedFieldsEntry[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', ...(managedFields ? { managedFields } : {}) }, data });
const at = (m: number) => `2026-01-01T00:${String(m).padStart(2, '0')}:00Z`;

describe('managedFields edge cases', () => {
  it('`managedFields: [{}]` resets ownership; `[]` or omitted keeps the stored entries; edited entries are used', () => {
    const a = cm({ x: '1' });
    a.metadata.managedFields = updateManagedFields(undefined, a, { manager: 'creator', apiVersion: 'v1', time: at(0) });
    assert.deepEqual(updateManagedFields(a, { ...cm({ x: '2' }), metadata: { name: 'c', namespace: 'd', managedFields: [{}] } }, { manager: 'm', apiVersion: 'v1', time: at(1) }), []);
    const kept = updateManagedFields(a, cm({ x: '2' }, []), { manager: 'm', apiVersion: 'v1', time: at(1) });
    // creator keeps the `data` map it created (`f:data: {}`, like argocd's `f:annotations: {}` in real objects).
    assert.deepEqual(kept.map((e) => [e.manager, e.fieldsV1]), [['creator', { 'f:data': {} }], ['m', { 'f:data': { 'f:x': {} } }]]);
    const edited: ManagedFieldsEntry[] = [{ manager: 'someone-else', operation: 'Update', apiVersion: 'v1', time: at(0), fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:x': {} } } }];
    const b = updateManagedFields(a, cm({ x: '1', y: '2' }, edited), { manager: 'm', apiVersion: 'v1', time: at(2) });
    assert.deepEqual(b.map((e) => e.manager), ['someone-else', 'm']);
  });

  it('a write that only removes fields does not refresh the writer time', () => {
    const a = cm({ x: '1', y: '2' });
    a.metadata.managedFields = updateManagedFields(undefined, a, { manager: 'm', apiVersion: 'v1', time: at(0) });
    const mf = updateManagedFields(a, cm({ x: '1' }), { manager: 'm', apiVersion: 'v1', time: at(5) });
    assert.equal(mf[0].time, at(0));
    assert.deepEqual(mf[0].fieldsV1, { 'f:data': { '.': {}, 'f:x': {} } });
  });

  it('caps Update entries at 10, folding the oldest into "ancient-changes"', () => {
    let o = cm({});
    o.metadata.managedFields = updateManagedFields(undefined, cm({ k0: 'v' }), { manager: 'm0', apiVersion: 'v1', time: at(0) });
    o = cm({ k0: 'v' }, o.metadata.managedFields);
    for (let i = 1; i <= 11; i++) {
      const next = cm({ ...(o.data as Record<string, string>), [`k${i}`]: 'v' });
      next.metadata.managedFields = updateManagedFields(o, next, { manager: `m${i}`, apiVersion: 'v1', time: at(i) });
      o = next;
    }
    const mf = o.metadata.managedFields!;
    assert.equal(mf.length, 10);
    const ancient = mf.find((e) => e.manager === 'ancient-changes')!;
    assert.deepEqual(ancient.fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
    assert.equal(ancient.time, at(2));
    assert.deepEqual(mf.map((e) => e.manager).slice(1), ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
  });

  it('tracks status of custom resources without a status subresource, and uses CRD list types', () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: { items: [{ id: 'one', v: 1 }], tags: ['x'] }, status: { phase: 'ok' } };
    const listTypes = (_g: string, _k: string, p: string[]) => (p.join('.') === 'spec.items' ? { type: 'map' as const, keys: ['id'] } : undefined);
    const r = serverSideApply(undefined, app, { manager: 'm', apiVersion: 'argoproj.io/v1alpha1', time: at(0), statusSubresource: false, listTypes });
    assert.deepEqual(r.managedFields[0].fieldsV1, { 'f:spec': { 'f:items': { 'k:{"id":"one"}': { '.': {}, 'f:id': {}, 'f:v': {} } }, 'f:tags': {} }, 'f:status': { 'f:phase': {} } });
    assert.deepEqual(r.object.status, { phase: 'ok' });
    // Update on create of an unstructured object: every new map gets `.` (its zero value is empty).
    const mf = updateManagedFields(undefined, app as KubeObject, { manager: 'u', apiVersion: 'argoproj.io/v1alpha1', time: at(0), listTypes });
    assert.deepEqual(mf[0].fieldsV1, { 'f:spec': { '.': {}, 'f:items': { '.': {}, 'k:{"id":"one"}': { '.': {}, 'f:id': {}, 'f:v': {} } }, 'f:tags': {} } });
  });

  it('a no-op re-apply that only adds shared ownership keeps the applier time', () => {
    const first = serverSideApply(undefined, cm({ x: '1' }), { manager: 'a', apiVersion: 'v1', time: at(0) }).object;
    const second = serverSideApply(first, cm({ x: '1' }), { manager: 'b', apiVersion: 'v1', time: at(1) }).object;
    const third = serverSideApply(second, cm({ x: '1', y: '' }), { manager: 'b', apiVersion: 'v1', time: at(2) });
    const again = serverSideApply(third.object, cm({ x: '1', y: '' }), { manager: 'b', apiVersion: 'v1', time: at(3) });
    assert.equal(again.managedFields.find((e) => e.manager === 'b')!.time, at(2));
    assert.deepEqual(again.object, third.object);
  });
});
