import * as assert from 'node:assert/strict';
import { compileJqPath, deletePaths, evalJqPaths } from '../../../src/core/diff/jqPath';
import { parseJsonPointer, removeJsonPointer, ruleMatches } from '../../../src/core/diff/ignore';

const doc = () => ({ spec: { a: { b: 1, c: 2 }, items: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }, { name: 'x', v: 3 }], 'dotted.key': 5 } });

describe('diff/ignore helpers (jq subset, JSON pointers, matching)', () => {
  it('evaluates field paths, iteration, index, quoted keys and select', () => {
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec.a.b')), [['spec', 'a', 'b']]);
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec.items[1].v')), [['spec', 'items', 1, 'v']]);
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec["dotted.key"]')), [['spec', 'dotted.key']]);
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec.items[] | select(.name == "x")')), [['spec', 'items', 0], ['spec', 'items', 2]]);
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec.items[] | select(.name != "x") | .v')), [['spec', 'items', 1, 'v']]);
    assert.deepEqual(evalJqPaths(doc(), compileJqPath('.spec.missing.x')), []);
  });
  it('deletes selected items without shifting indices', () => {
    const d = doc();
    deletePaths(d, evalJqPaths(d, compileJqPath('.spec.items[] | select(.name == "x")')));
    assert.deepEqual(d.spec.items, [{ name: 'y', v: 2 }]);
  });
  it('rejects jq outside the supported subset', () => {
    assert.throws(() => compileJqPath('.a | to_entries'), /Unsupported jq/);
    assert.throws(() => compileJqPath('.a // 1'), /Unsupported jq/);
    assert.throws(() => compileJqPath('select(.a > 1)'), /Unsupported jq/);
  });
  it('removes JSON pointers (RFC 6901 escapes), tolerating missing paths', () => {
    assert.deepEqual(parseJsonPointer('/metadata/annotations/a~1b~0c'), ['metadata', 'annotations', 'a/b~c']);
    const d = doc();
    removeJsonPointer(d, '/spec/items/1');
    removeJsonPointer(d, '/spec/a/b');
    removeJsonPointer(d, '/spec/nope/x');
    assert.deepEqual(d.spec.items.map((i) => i.v), [1, 3]);
    assert.deepEqual(d.spec.a, { c: 2 });
  });
  it('matches rules by group/kind glob, name and namespace', () => {
    const ref = { group: 'apps', kind: 'Deployment', namespace: 'n', name: 'd' };
    assert.ok(ruleMatches({ group: '*', kind: '*' }, ref));
    assert.ok(ruleMatches({ group: 'apps', kind: 'Deploy*', name: 'd', namespace: 'n' }, ref));
    assert.ok(!ruleMatches({ kind: 'Deployment' }, ref), 'omitted group means core');
    assert.ok(!ruleMatches({ group: 'apps', kind: 'Deployment', name: 'other' }, ref));
  });
});
