import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { applyYamlEdits, readYamlPath } from '../../../src/core/capture/yamlEdit';
import { formatFieldPath, parseFieldPath } from '../../../src/core/capture/fieldPath';

const DEPLOY = `# The web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep me
  labels:
    app: web
spec:
  replicas: 2   # scaled by HPA? no
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: 'nginx:1.25'
          # env for the app
          env:
            - name: MODE
              value: "prod"
        - name: sidecar
          image: busybox
---
# second doc
apiVersion: v1
kind: Service
metadata:
  name: web
`;

/** Lines of `after` that differ from `before`, assuming an edit only replaces/inserts/deletes a contiguous block. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}

describe('capture/fieldPath', () => {
  it('parses keys, match segments, indexes and quoted keys and formats them back', () => {
    const p = 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value';
    assert.deepEqual(parseFieldPath(p), [
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'template' },
      { kind: 'key', key: 'spec' },
      { kind: 'key', key: 'containers' },
      { kind: 'match', match: { name: 'web' } },
      { kind: 'key', key: 'env' },
      { kind: 'match', match: { name: 'LOG_LEVEL' } },
      { kind: 'key', key: 'value' },
    ]);
    assert.equal(formatFieldPath(parseFieldPath(p)), p);
    assert.deepEqual(parseFieldPath('metadata.annotations["app.kubernetes.io/name"]')[2], { kind: 'key', key: 'app.kubernetes.io/name' });
    assert.deepEqual(parseFieldPath('spec.ports[port=80,protocol=TCP].targetPort')[2], { kind: 'match', match: { port: '80', protocol: 'TCP' } });
    assert.deepEqual(parseFieldPath('spec.args[2]')[2], { kind: 'index', index: 2 });
    assert.throws(() => parseFieldPath('a[name=x'), /Invalid field path/);
  });
});

describe('capture/yamlEdit', () => {
  it('sets a scalar changing only its line, keeping the trailing comment and spacing', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.replicas', value: 5 }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: ['  replicas: 2   # scaled by HPA? no'], added: ['  replicas: 5   # scaled by HPA? no'] });
  });

  it('keeps the quoting style of a string it changes', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.template.spec.containers[name=web].image', value: 'nginx:1.27' }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: ["          image: 'nginx:1.25'"], added: ["          image: 'nginx:1.27'"] });
    const out2 = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.template.spec.containers[name=web].env[name=MODE].value', value: 'debug' }]);
    assert.deepEqual(changedLines(DEPLOY, out2).added, ['              value: "debug"']);
  });

  it('quotes strings that YAML 1.1 would read as another type', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'metadata.labels.enabled', value: 'yes' }]);
    assert.equal(readYamlPath(out, 0, 'metadata.labels.enabled'), 'yes');
    assert.deepEqual(changedLines(DEPLOY, out), { removed: [], added: ['    enabled: "yes"'] });
  });

  it('appends an env item with the list indentation style of its siblings', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL]', value: { name: 'LOG_LEVEL', value: 'debug' } }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: [], added: ['            - name: LOG_LEVEL', '              value: debug'] });
  });

  it('creates a missing env list (and an item via its value path) under a container', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.template.spec.containers[name=sidecar].env[name=X].value', value: '1' }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: [], added: ['          env:', '            - name: X', '              value: "1"'] });
    const o = parse(out.split('---')[0]);
    assert.deepEqual(o.spec.template.spec.containers[1], { name: 'sidecar', image: 'busybox', env: [{ name: 'X', value: '1' }] });
  });

  it('follows a zero-indented sequence style (kubectl output) when inserting', () => {
    const src = 'spec:\n  containers:\n  - name: a\n    env:\n    - name: A\n      value: a\n';
    const out = applyYamlEdits(src, 0, [{ op: 'set', path: 'spec.containers[name=a].env[name=B]', value: { name: 'B', value: 'b' } }]);
    assert.equal(out, src + '    - name: B\n      value: b\n');
  });

  it('edits inside flow collections by re-rendering only that collection', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.selector.matchLabels.tier', value: 'front' }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: ['    matchLabels: {app: web}'], added: ['    matchLabels: { app: web, tier: front }'] });
  });

  it('deletes a field, a list item, and an emptied parent', () => {
    const a = applyYamlEdits(DEPLOY, 0, [{ op: 'delete', path: 'metadata.labels.app' }]);
    assert.deepEqual(changedLines(DEPLOY, a), { removed: ['  labels:', '    app: web'], added: [] });
    const b = applyYamlEdits(DEPLOY, 0, [{ op: 'delete', path: 'spec.template.spec.containers[name=sidecar]' }]);
    assert.deepEqual(changedLines(DEPLOY, b), { removed: ['        - name: sidecar', '          image: busybox'], added: [] });
    const c = applyYamlEdits(DEPLOY, 0, [{ op: 'delete', path: 'spec.template.spec.containers[name=web].name' }]);
    assert.match(c, /\n {8}- image: 'nginx:1.25'\n/);
    assert.equal(applyYamlEdits(DEPLOY, 0, [{ op: 'delete', path: 'spec.nothing.here' }]), DEPLOY);
  });

  it('edits only the target document of a multi-document file', () => {
    const out = applyYamlEdits(DEPLOY, 1, [{ op: 'set', path: 'metadata.name', value: 'web2' }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: ['  name: web'], added: ['  name: web2'] });
    assert.equal(out.indexOf('name: web # keep me') > 0, true);
    assert.throws(() => applyYamlEdits(DEPLOY, 2, [{ op: 'set', path: 'a', value: 1 }]), /Document 2 does not exist/);
  });

  it('replaces a map by setting only the keys that differ', () => {
    const out = applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'metadata.labels', value: { app: 'web', team: 'a' } }]);
    assert.deepEqual(changedLines(DEPLOY, out), { removed: [], added: ['    team: a'] });
  });

  it('is a no-op when the value is already there, and reports parse errors with a line', () => {
    assert.equal(applyYamlEdits(DEPLOY, 0, [{ op: 'set', path: 'spec.replicas', value: 2 }]), DEPLOY);
    assert.throws(() => applyYamlEdits('a: [1\nb: 2\n', 0, []), (e: Error & { reason?: string }) => e.reason === 'parse' && /line/.test(e.message));
  });
});

describe('capture/yamlEdit set-like lists', () => {
  const SRC = 'metadata:\n  name: x\n  finalizers:\n    - a.example.com/one\n    - two\n';
  it('parses, adds and removes `[=value]` items', () => {
    assert.deepEqual(parseFieldPath('metadata.finalizers[=a.example.com/one]')[2], { kind: 'value', value: 'a.example.com/one' });
    assert.equal(formatFieldPath(parseFieldPath('metadata.finalizers[=two]')), 'metadata.finalizers[=two]');
    assert.equal(applyYamlEdits(SRC, 0, [{ op: 'set', path: 'metadata.finalizers[=three]', value: 'three' }]), SRC + '    - three\n');
    assert.equal(applyYamlEdits(SRC, 0, [{ op: 'delete', path: 'metadata.finalizers[=two]' }]), 'metadata:\n  name: x\n  finalizers:\n    - a.example.com/one\n');
    assert.equal(applyYamlEdits('metadata:\n  name: x\n', 0, [{ op: 'set', path: 'metadata.finalizers[=f]', value: 'f' }]), 'metadata:\n  name: x\n  finalizers:\n    - f\n');
  });
});

describe('capture/yamlEdit line endings', () => {
  it('keeps CRLF files CRLF when inserting, replacing and deleting', () => {
    const src = DEPLOY.split('---')[0].replace(/\n/g, '\r\n');
    const out = applyYamlEdits(src, 0, [
      { op: 'set', path: 'spec.replicas', value: 3 },
      { op: 'set', path: 'spec.template.spec.containers[name=web].env[name=B]', value: { name: 'B', value: 'b' } },
      { op: 'delete', path: 'metadata.labels' },
    ]);
    assert.doesNotMatch(out.replace(/\r\n/g, ''), /\n/, 'no bare LF introduced');
    assert.match(out, /replicas: 3 {3}# scaled by HPA\? no\r\n/);
    assert.match(out, /\r\n {12}- name: B\r\n {14}value: b\r\n/);
    assert.doesNotMatch(out, /labels:\r\n {4}app: web\r\nspec/);
  });
});

describe('capture/yamlEdit whole-list sets', () => {
  const SRC = 'spec:\n  args:\n    - --a # first\n    - --b\n    - --c\n  name: x\n';
  it('sets a list item by item, keeping unchanged lines', () => {
    assert.equal(applyYamlEdits(SRC, 0, [{ op: 'set', path: 'spec.args', value: ['--a', '--B', '--c'] }]), SRC.replace('- --b', '- --B'));
    assert.equal(applyYamlEdits(SRC, 0, [{ op: 'set', path: 'spec.args', value: ['--a', '--b'] }]), 'spec:\n  args:\n    - --a # first\n    - --b\n  name: x\n');
    assert.equal(applyYamlEdits(SRC, 0, [{ op: 'set', path: 'spec.args', value: ['--a', '--b', '--c', '--d'] }]), 'spec:\n  args:\n    - --a # first\n    - --b\n    - --c\n    - --d\n  name: x\n');
  });
  it('inserts new list items where the live list has them, so the order matches live', () => {
    const text = ['env:', '  - name: B # keep', '    value: "2"', '  - name: D', '    value: "4"', ''].join('\n');
    const live = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }, { name: 'D', value: '4' }, { name: 'E', value: '5' }];
    let out = text;
    for (const n of ['A', 'C', 'E']) out = applyYamlEdits(out, 0, [{ op: 'set', path: `env[name=${n}]`, value: live.find((x) => x.name === n), order: live }]);
    assert.equal(out, ['env:', '  - name: A', '    value: "1"', '  - name: B # keep', '    value: "2"', '  - name: C', '    value: "3"', '  - name: D', '    value: "4"', '  - name: E', '    value: "5"', ''].join('\n'));
  });
});
