import * as assert from 'node:assert/strict';
import { clone } from '../../../src/core/k8s/json';

describe('k8s/json clone', () => {
  it('copies deeply with the semantics of a JSON round-trip', () => {
    const src = {
      a: { b: [1, 'x', null, true, { c: 2 }] },
      gone: undefined,
      nan: Number.NaN,
      list: [undefined, Infinity, () => 1],
      when: new Date('2024-01-02T03:04:05Z'),
      fn: () => 1,
    };
    const out = clone(src);
    assert.deepEqual(out, JSON.parse(JSON.stringify(src)));
    assert.deepEqual(Object.keys(out), ['a', 'nan', 'list', 'when']);
    assert.equal(out.when as unknown, '2024-01-02T03:04:05.000Z');
    assert.notEqual(out.a, src.a);
    (out.a.b[4] as { c: number }).c = 9;
    assert.equal((src.a.b[4] as { c: number }).c, 2, 'the source is untouched');
  });
  it('keeps undefined and scalars as they are', () => {
    assert.equal(clone(undefined), undefined);
    assert.equal(clone('s'), 's');
    assert.equal(clone(null), null);
  });
});
