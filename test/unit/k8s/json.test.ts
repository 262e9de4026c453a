import * as assert from 'node:assert/strict';
import { canonicalJson, clone } from '../../../src/core/k8s/json';

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

describe('k8s/json canonicalJson', () => {
  // The former implementation: stringify a copy built with sorted keys.
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  it('sorts keys recursively, integer-like keys first, as stringifying a sorted copy does', () => {
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 'x', c: null }] }), '{"a":[2,{"c":null,"d":"x"}],"b":1}');
    const odd: unknown[] = [
      { '10': 1, '9': 2, a: 3, '01': 4, '-1': 5, '4294967295': 6, '4294967294': 7 },
      [undefined, () => 1, Number.NaN, 'q"uote'],
      { gone: undefined, fn: () => 1, when: new Date(0), nested: { z: [{}], y: [] } },
      JSON.parse('{"__proto__": 1, "x": 2}'),
      { é: 1, e: 2, Z: 3 },
      null,
      'plain',
    ];
    for (const v of odd) assert.equal(canonicalJson(v), JSON.stringify(sortKeys(v)), JSON.stringify(v));
    assert.equal(canonicalJson(undefined), undefined);
  });
});
