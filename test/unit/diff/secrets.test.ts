import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model';
import { diffResource, normalizeForDisplay } from '../../../src/core/diff';
import { maskSecrets } from '../../../src/core/diff/secrets';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', ...extra }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
const SECRETS = ['hunter2', 'old-pass', 'new-pass', 'token-xyz'];

function assertNoLeak(value: unknown): void {
  const text = JSON.stringify(value);
  for (const s of SECRETS) {
    assert.ok(!text.includes(s), `plain secret ${s} leaked`);
    assert.ok(!text.includes(b64(s)), `base64 secret ${s} leaked`);
  }
}

describe('diff/secret masking (N17)', () => {
  it('masks per key: equal values share a mask, different values differ', () => {
    const [t, l] = maskSecrets(secret({ key1: 'test', key2: 'test' }), secret({ key1: 'test-1', key2: 'test-1' })) as any[];
    assert.deepEqual(t.data, { key1: '+'.repeat(8), key2: '+'.repeat(8) });
    assert.deepEqual(l.data, { key1: '+'.repeat(12), key2: '+'.repeat(12) });
    const [t2, l2] = maskSecrets(secret({ key1: 'a', key2: 'b' }), secret({ key2: 'c', key3: 'd' })) as any[];
    assert.deepEqual(t2.data, { key1: '+'.repeat(8), key2: '+'.repeat(8) });
    assert.deepEqual(l2.data, { key2: '+'.repeat(12), key3: '+'.repeat(8) });
  });
  it('never returns a Secret value in changes or display objects', () => {
    const la = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: b64('old-pass') } });
    const live = secret({ password: 'hunter2', token: 'token-xyz' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': la } });
    const desired: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'new-pass' } };
    const r = diffResource(desired, live);
    assert.equal(r.status, 'Modified');
    assertNoLeak(r);
    const pw = r.changes.find((c) => c.path === 'data.password');
    assert.ok(pw && pw.desired !== pw.live, 'different values get different masks');
    assert.match(String(pw.desired), /^\++$/);
  });
  it('still reports equal secrets as Synced and masks missing/extra-live objects', () => {
    assertNoLeak(diffResource(secret({ a: 'hunter2' }), secret({ a: 'hunter2' })));
    const missing = diffResource(secret({ a: 'hunter2' }), undefined);
    assert.equal(missing.status, 'MissingLive');
    assertNoLeak(missing);
    const extra = diffResource(undefined, secret({ a: 'token-xyz' }));
    assert.equal(extra.status, 'ExtraLive');
    assertNoLeak(extra);
  });
  it('normalizeForDisplay masks stringData, data, last-applied and drops server noise', () => {
    const o = normalizeForDisplay({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', uid: 'u', resourceVersion: '9', managedFields: [], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"a":"' + b64('hunter2') + '"}}' } }, stringData: { b: 'token-xyz' } } as KubeObject);
    assertNoLeak(o);
    assert.deepEqual(o.metadata, { name: 's' });
    assert.deepEqual(o.data, { b: '+'.repeat(8) });
  });
  it('masks malformed last-applied and non-map data wholesale (fail closed)', () => {
    const [m] = maskSecrets({ apiVersion: 'v1', kind: 'Secret', metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{not json hunter2' } }, data: 'hunter2' } as unknown as KubeObject) as any[];
    assertNoLeak(m);
    assert.equal(m.data, '+'.repeat(8));
  });
});
