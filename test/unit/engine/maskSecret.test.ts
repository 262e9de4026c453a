import * as assert from 'node:assert/strict';
import { maskSecretForDisplay } from '../../../src/core/engine/maskSecret';

describe('maskSecretForDisplay', () => {
  it('never lets a Secret value through, and keeps equal values recognisable', () => {
    const s = maskSecretForDisplay({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } },
      data: { password: 'aHVudGVyMg==', copy: 'aHVudGVyMg==', other: 'eA==' },
      stringData: { token: 'plain' },
    });
    const text = JSON.stringify(s);
    assert.ok(!text.includes('aHVudGVyMg'), 'base64 value hidden');
    assert.ok(!text.includes('plain'), 'stringData hidden');
    const data = s.data as Record<string, string>;
    assert.equal(data.password, data.copy);
    assert.notEqual(data.password, data.other);
  });
  it('leaves other kinds untouched', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(maskSecretForDisplay(cm), cm);
  });
});
