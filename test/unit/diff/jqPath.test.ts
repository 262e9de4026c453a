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
    assert.throws(() => compileJqPath('.a[] | select(.a + 1)'), /Unsupported jq/);
    assert.throws(() => compileJqPath('.a[] | select(.name | map(.x))'), /Unsupported jq/);
    assert.throws(() => compileJqPath('.a[] | select(startswith())'), /Unsupported jq/);
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
  it('selects with the functions users write: startswith, endswith, test, contains, has, any, all, index, and/or/not', () => {
    const d = {
      spec: {
        containers: [
          { name: 'istio-proxy', image: 'istio/proxyv2:1.20', env: [{ name: 'A' }], ports: [{ containerPort: 15090 }] },
          { name: 'app', image: 'registry.example.com/app:1', env: [], args: ['--debug'] },
          { name: 'linkerd-proxy', image: 'cr.l5d.io/proxy:stable', resources: { limits: { cpu: '1' } } },
        ],
      },
      metadata: { annotations: { 'sidecar.istio.io/status': '{}', 'kubectl.kubernetes.io/restartedAt': 'x', keep: 'y' } },
    };
    const names = (expr: string) => evalJqPaths(d, compileJqPath(expr)).map((p) => p.join('.'));
    assert.deepEqual(names('.spec.containers[] | select(.name | startswith("istio"))'), ['spec.containers.0']);
    assert.deepEqual(names('.spec.containers[] | select(.name | endswith("-proxy"))'), ['spec.containers.0', 'spec.containers.2']);
    assert.deepEqual(names('.spec.containers[] | select(.image | test("^registry\\\\.example\\\\.com/"))'), ['spec.containers.1']);
    assert.deepEqual(names('.spec.containers[] | select(.image | test("PROXY"; "i"))'), ['spec.containers.0', 'spec.containers.2']);
    assert.deepEqual(names('.spec.containers[] | select(.image | contains("l5d"))'), ['spec.containers.2']);
    assert.deepEqual(names('.spec.containers[] | select(has("resources"))'), ['spec.containers.2']);
    assert.deepEqual(names('.spec.containers[] | select(.env | any(.name == "A")) | .env'), ['spec.containers.0.env']);
    assert.deepEqual(names('.spec.containers[] | select(.args | all(startswith("--")))'), ['spec.containers.1']);
    assert.deepEqual(names('.spec.containers[] | select(.name | index("linkerd"))'), ['spec.containers.2'], 'index 0 is truthy in jq');
    assert.deepEqual(names('.spec.containers[] | select((.name == "app" or has("ports")) and (.name | startswith("x") | not))'), ['spec.containers.0', 'spec.containers.1']);
    assert.deepEqual(names('.metadata.annotations["kubectl.kubernetes.io/restartedAt"]'), ['metadata.annotations.kubectl.kubernetes.io/restartedAt']);
    // a condition that errors on some value (startswith on a number) does not select it, and the others still are
    const mixed = { xs: [{ v: 'ab' }, { v: 1 }, { v: 'ac' }] };
    assert.deepEqual(evalJqPaths(mixed, compileJqPath('.xs[] | select(.v | startswith("a"))')).map((p) => p.join('.')), ['xs.0', 'xs.2']);
    assert.deepEqual(evalJqPaths(mixed, compileJqPath('.xs[] | select(.v >= "a" and .v < "b")')).map((p) => p.join('.')), ['xs.0', 'xs.2']);
  });
});
