// Clients may rewrite managedFields (Flux hands kubectl-owned fields over to itself this way); the API server keeps
// what they send, and `[{}]` resets the bookkeeping.
import * as assert from 'node:assert/strict';
import { startEmulator, type Emulator } from './emulator';
import { raw } from './rawClient';

describe('emulator: managedFields and resourceVersion in writes', function () {
  this.timeout(30_000);
  let emu: Emulator;
  const path = '/api/v1/namespaces/default/configmaps/cfg';

  before(async () => {
    emu = await startEmulator();
  });
  after(async () => {
    await emu.stop();
  });

  it('keeps managedFields sent in a JSON patch, and resets them with [{}]', async () => {
    const created = await raw(emu, '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-edit', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } } });
    assert.equal(created.status, 201);
    const before = (created.json as any).metadata.managedFields;
    assert.equal(before[0].manager, 'kubectl-edit');

    const handedOver = before.map((e: any) => ({ ...e, manager: 'kustomize-controller' }));
    const patched = await raw(emu, `${path}?fieldManager=kustomize-controller`, { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/metadata/managedFields', value: handedOver }] });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const stored = (await raw(emu, path)).json as any;
    assert.deepEqual(stored.metadata.managedFields.map((e: any) => e.manager), ['kustomize-controller']);
    assert.deepEqual(stored.metadata.managedFields[0].fieldsV1, before[0].fieldsV1);
    assert.notEqual(stored.metadata.resourceVersion, (created.json as any).metadata.resourceVersion, 'a managedFields-only change is a real write');

    const reset = await raw(emu, path, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { managedFields: [{}] } } });
    assert.equal(reset.status, 200);
    assert.equal(((await raw(emu, path)).json as any).metadata.managedFields, undefined);
  });

  it('treats a resourceVersion in a server-side apply body as a precondition', async () => {
    const live = (await raw(emu, path)).json as any;
    const stale = await raw(emu, `${path}?fieldManager=editor`, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', resourceVersion: '1' }, data: { b: '2' } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');
    const fresh = await raw(emu, `${path}?fieldManager=editor`, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', resourceVersion: live.metadata.resourceVersion }, data: { b: '2' } } });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.json));
  });
});
