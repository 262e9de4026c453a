import * as assert from 'node:assert/strict';
import { refKey, refOf, groupOf, versionOf } from '../../src/core/model';

describe('model', () => {
  it('splits apiVersion into group and version', () => {
    assert.equal(groupOf('apps/v1'), 'apps');
    assert.equal(versionOf('apps/v1'), 'v1');
    assert.equal(groupOf('v1'), '');
    assert.equal(versionOf('v1'), 'v1');
  });
  it('builds a ref key with the default namespace', () => {
    const r = refOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } }, 'web');
    assert.equal(refKey(r), '/ConfigMap/web/cfg');
  });
});
