import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, PatchError } from './index';

const deploy = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'a:1' }] } } } });

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PatchError, `expected PatchError, got ${String(e)}`);
    return e.status;
  }
  assert.fail('expected a PatchError');
}

describe('applyJsonPatch', () => {
  it('applies add/replace/remove/test without mutating the input', () => {
    const d = deploy();
    const out = applyJsonPatch(d, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'X', value: '1' }] },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 's' } },
    ]);
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.metadata.labels, {});
    assert.deepEqual((out.spec.template.spec.containers[0] as { env?: unknown }).env, [{ name: 'X', value: '1' }]);
    assert.equal(out.spec.template.spec.containers[1].name, 'side');
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.metadata.labels.app, 'web');
  });
  it('maps a failed test or missing path to 422 and a malformed patch to 400', () => {
    assert.equal(status(() => applyJsonPatch(deploy(), [{ op: 'test', path: '/spec/replicas', value: 2 }])), 422);
    assert.equal(status(() => applyJsonPatch(deploy(), [{ op: 'replace', path: '/spec/nope/x', value: 2 }])), 422);
    assert.equal(status(() => applyJsonPatch(deploy(), [{ op: 'remove', path: '/metadata/annotations' }])), 422);
    assert.equal(status(() => applyJsonPatch(deploy(), { op: 'add' })), 400);
    assert.equal(status(() => applyJsonPatch(deploy(), [{ op: 'frobnicate', path: '/a' }])), 400);
    assert.equal(status(() => applyJsonPatch(deploy(), [{ op: 'add', path: '/a' }])), 400);
  });
  it("answers the real server's generic message, keeping the failing path in detail (not sent)", () => {
    // kube-apiserver drops the reason of a JSON patch that does not apply (checked in differential.test.ts).
    assert.throws(
      () => applyJsonPatch(deploy(), [{ op: 'test', path: '/spec/replicas', value: 9 }]),
      (e: any) => e.message === 'the server rejected our request due to an error in our request' && /\/spec\/replicas/.test(e.detail),
    );
  });
});

describe('applyMergePatch', () => {
  it('merges maps, deletes on null and replaces lists (RFC 7386)', () => {
    const d = deploy();
    const out = applyMergePatch(d, { metadata: { labels: { app: null, tier: 'fe' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'only' }] } } } });
    assert.deepEqual(out.metadata.labels, { tier: 'fe' });
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only' }]);
    assert.equal(d.metadata.labels.app, 'web');
  });
  it('creates intermediate maps and replaces a scalar with a map', () => {
    const out = applyMergePatch({ a: 1 } as Record<string, unknown>, { a: { b: { c: null, d: 1 } }, e: { f: 2 } });
    assert.deepEqual(out, { a: { b: { d: 1 } }, e: { f: 2 } });
  });
  it('rejects a non-object patch with 400', () => {
    assert.equal(status(() => applyMergePatch(deploy(), [1])), 400);
    assert.equal(status(() => applyMergePatch(deploy(), null)), 400);
  });
});
