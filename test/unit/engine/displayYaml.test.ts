import * as assert from 'node:assert/strict';
import { toDisplayYaml } from '../../../src/core/engine/displayYaml';

describe('toDisplayYaml', () => {
  it('orders keys the same way whatever the input order, so diff sides align', () => {
    const a = toDisplayYaml({ spec: { replicas: 2, selector: {} }, metadata: { labels: { b: '1', a: '2' }, name: 'web' }, kind: 'Deployment', apiVersion: 'apps/v1' });
    const b = toDisplayYaml({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { a: '2', b: '1' } }, spec: { selector: {}, replicas: 2 } });
    assert.equal(a, b);
    assert.ok(a.startsWith('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n'));
  });
  it('puts name first inside list items', () => {
    const y = toDisplayYaml({ env: [{ value: '1', name: 'X' }] });
    assert.match(y, /- name: X\n\s+value: "1"/);
  });
  it('renders nothing for an absent side', () => {
    assert.equal(toDisplayYaml(undefined), '');
  });
});
