import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lineFinder, lineOfPath, parseManifests } from '../../../src/core/yaml';

const REAL = path.resolve(__dirname, '../../fixtures/real-repos');

describe('yaml/parseManifests', () => {
  it('decodes YAML 1.1 like kubectl: octal modes, yes/no/on/off, merge keys; timestamps stay strings', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: cfg}',
      'spec:',
      '  mode: 0644',
      '  quoted: "0644"',
      '  a: yes',
      '  b: off',
      '  c: On',
      '  d: no',
      '  when: 2024-01-02',
      '  base: &b {x: 1, z: 2}',
      '  merged:',
      '    <<: *b',
      '    z: 3',
      '  keys: {y: 1}',
      '  port: 22:22',
      '  hex: 0x1F',
      '  big: 1_000',
    ].join('\n');
    const { docs, errors } = parseManifests(text, 'cm.yaml');
    assert.deepEqual(errors, []);
    const spec = docs[0].object.spec as Record<string, unknown>;
    assert.equal(spec.mode, 420);
    assert.equal(spec.quoted, '0644');
    assert.deepEqual([spec.a, spec.b, spec.c, spec.d], [true, false, true, false]);
    assert.equal(spec.when, '2024-01-02');
    assert.equal(spec.port, '22:22');
    assert.deepEqual([spec.hex, spec.big], [31, 1000]);
    assert.deepEqual(spec.merged, { x: 1, z: 3 });
    // go-yaml v2 resolves a bare `y` to true, and sigs.k8s.io/yaml writes bool keys as "true".
    assert.deepEqual(spec.keys, { true: 1 });
  });

  it('needs a digit for a float, like go-yaml v2: e3, E5 and . stay strings (the yaml package made them NaN)', () => {
    const values = ['e3', 'E5', '.', '-.', '._', '+e10', '1.', '.5', '1e3', '1.5E-2', '1_0.5', '.inf'];
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: f\ndata:\n${values.map((v, i) => `  k${i}: ${v}`).join('\n')}\n`;
    const want = ['e3', 'E5', '.', '-.', '._', '+e10', 1, 0.5, 1000, 0.015, 10.5, Infinity];
    for (const fastPath of [true, false]) {
      const data = parseManifests(text, 'f.yaml', { fastPath }).docs[0].object.data as Record<string, unknown>;
      assert.deepEqual(values.map((_, i) => data[`k${i}`]), want, `fastPath ${fastPath}`);
    }
  });

  it('keeps document index and 1-based content lines, skipping empty and non-Kubernetes documents with a reason', () => {
    const text = ['# leading comment', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: one', '---', '# only a comment', '---', 'foo: bar', '---', 'apiVersion: v1', 'kind: Secret', 'metadata:', '  name: two', ''].join('\n');
    const r = parseManifests(text, 'm.yaml');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.docs.map((d) => [d.object.metadata.name, d.documentIndex, d.startLine, d.endLine]),
      [
        ['one', 0, 3, 6],
        ['two', 3, 12, 15],
      ],
    );
    assert.deepEqual(
      r.skipped.map((s) => [s.documentIndex, s.reason]),
      [
        [1, 'empty document'],
        [2, 'not a Kubernetes object (no apiVersion/kind)'],
      ],
    );
  });

  it('reports a malformed document with its line and keeps the documents around it', () => {
    const text = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: before}', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: [broken', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: after}'].join('\n');
    const r = parseManifests(text, 'bad.yaml');
    assert.deepEqual(r.docs.map((d) => d.object.metadata.name), ['before', 'after']);
    assert.ok(r.errors.length >= 1);
    assert.ok(r.errors[0].line >= 8 && r.errors[0].line <= 9, `line ${r.errors[0].line}`);
    assert.equal(r.errors[0].documentIndex, 1);
    assert.match(r.errors[0].message, /^bad\.yaml:\d+: /);
    assert.equal(r.docs[1].documentIndex, 2);
    assert.equal(r.docs[1].startLine, 10);
  });

  it('gives line ranges of the real flux multi-tenancy rbac.yaml (leading ---, blank lines)', () => {
    const file = path.join(REAL, 'fluxcd__flux2-multi-tenancy/tenants/base/dev-team/rbac.yaml');
    const r = parseManifests(readFileSync(file, 'utf8'), file);
    assert.deepEqual(
      r.docs.map((d) => [d.object.kind, d.startLine, d.endLine]),
      [
        ['Namespace', 2, 7],
        ['ServiceAccount', 10, 16],
        ['RoleBinding', 19, 35],
      ],
    );
  });

  it('accepts the real guestbook-ui-svc.yaml with trailing TABs (PyYAML rejects it, kustomize accepts it)', () => {
    const file = path.join(REAL, 'argoproj__argo-cd/applicationset/examples/template-override/default/guestbook-ui-svc.yaml');
    const r = parseManifests(readFileSync(file, 'utf8'), file);
    assert.deepEqual(r.errors, []);
    assert.equal(r.docs[0].object.kind, 'Service');
    assert.equal(r.docs[0].object.metadata.name, 'guestbook-ui');
  });

  it('turns an unquoted Go-template Application into an error with a line instead of an object', () => {
    const file = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata/declarative-apps/app.yaml');
    const r = parseManifests(readFileSync(file, 'utf8'), file);
    assert.equal(r.docs.length, 0);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /metadata\.name must be a string/);
    assert.equal(r.errors[0].line, 1);
  });

  it('parses JSON and flattens a List', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } }] }, null, 2);
    const r = parseManifests(text, 'l.json');
    assert.deepEqual(r.docs.map((d) => `${d.object.kind}/${d.object.metadata.name}`), ['ConfigMap/a', 'Secret/b']);
  });
});

describe('yaml/lineOfPath', () => {
  const file = path.join(REAL, 'stefanprodan__podinfo/kustomize/deployment.yaml');
  const text = readFileSync(file, 'utf8');

  it('finds map keys and list items picked by a field in the real podinfo Deployment', () => {
    assert.equal(lineOfPath(text, 0, ['spec', 'minReadySeconds']), 6);
    assert.equal(lineOfPath(text, 0, ['spec', 'template', 'spec', 'containers']), 24);
    assert.equal(lineOfPath(text, 0, ['spec', 'template', 'spec', 'containers', { key: 'name', value: 'podinfod' }]), 25);
    assert.equal(lineOfPath(text, 0, ['spec', 'template', 'spec', 'containers', { key: 'name', value: 'podinfod' }, 'image']), 26);
    assert.equal(lineOfPath(text, 0, ['spec', 'template', 'spec', 'containers', 0, 'image']), 26);
  });

  it('returns undefined for a missing path, or the deepest existing ancestor with nearest', () => {
    const p = ['spec', 'template', 'spec', 'containers', { key: 'name', value: 'podinfod' }, 'nope'];
    assert.equal(lineOfPath(text, 0, p), undefined);
    assert.equal(lineOfPath(text, 0, p, { nearest: true }), 25);
    assert.equal(lineOfPath(text, 5, ['spec']), undefined);
  });

  it('counts documents like parseManifests', () => {
    const multi = 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n  labels:\n    x: y\n';
    assert.equal(lineOfPath(multi, 1, ['metadata', 'labels', 'x']), 10);
    assert.equal(parseManifests(multi).docs[1].documentIndex, 1);
  });

  it('answers many lookups from one parse with lineFinder', () => {
    const find = lineFinder(text);
    assert.equal(find(0, ['metadata', 'name']), lineOfPath(text, 0, ['metadata', 'name']));
    assert.equal(find(0, ['spec', 'template', 'spec', 'containers', { key: 'name', value: 'podinfod' }, 'image']), 26);
    assert.equal(find(0, ['spec', 'nope'], { nearest: true }), lineOfPath(text, 0, ['spec']));
  });
});
