import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderDirectory } from '../../../src/core/render';

const REAL = path.resolve(__dirname, '../../fixtures/real-repos');
const TESTDATA = path.join(REAL, 'argoproj__argo-cd/test/e2e/testdata');

describe('render/renderDirectory', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'render-dir-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: {k: v}\n`;

  it('renders the real multi-namespace folder with file and line sources', async () => {
    const r = await renderDirectory(path.join(TESTDATA, 'multi-namespace'));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.objects.map((o) => [path.basename(o.source!.file), o.object.metadata.namespace, o.source!.startLine, o.source!.endLine]),
      [
        ['deployment-with-namespace.yaml', 'kube-system', 1, 33],
        ['deployment.yaml', undefined, 1, 32],
      ],
    );
  });

  it('follows recurse and include/exclude globs with {a,b} alternatives, and skips non-Kubernetes files with a reason', async () => {
    mkdirSync(path.join(tmp, 'sub/deeper'), { recursive: true });
    writeFileSync(path.join(tmp, 'a.yaml'), cm('a'));
    writeFileSync(path.join(tmp, 'b.yml'), cm('b'));
    writeFileSync(path.join(tmp, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    writeFileSync(path.join(tmp, 'values.yaml'), 'replicaCount: 2\n');
    writeFileSync(path.join(tmp, 'README.md'), '# not yaml');
    writeFileSync(path.join(tmp, 'sub/d.yaml'), cm('d'));
    writeFileSync(path.join(tmp, 'sub/deeper/e.yaml'), cm('e'));

    const names = (r: Awaited<ReturnType<typeof renderDirectory>>) => r.objects.map((o) => o.object.metadata.name).sort();
    const flat = await renderDirectory(tmp);
    assert.deepEqual(names(flat), ['a', 'b', 'c']);
    assert.deepEqual(flat.skipped, [{ file: path.join(tmp, 'values.yaml'), reason: 'not a Kubernetes object (no apiVersion/kind)' }]);

    assert.deepEqual(names(await renderDirectory(tmp, { recurse: true })), ['a', 'b', 'c', 'd', 'e']);
    // Argo's globs have no path separators: `*.yaml` matches files in subfolders too.
    assert.deepEqual(names(await renderDirectory(tmp, { recurse: true, include: '{*.yml,*.json}' })), ['b', 'c']);
    const excluded = await renderDirectory(tmp, { recurse: true, exclude: '{sub/deeper/*,a.yaml}' });
    assert.deepEqual(names(excluded), ['b', 'c', 'd']);
    assert.ok(excluded.skipped.some((s) => s.file.endsWith('e.yaml') && /excluded/.test(s.reason)));
  });

  it('reports a broken file with file and line, and still renders the other files and documents', async () => {
    writeFileSync(path.join(tmp, 'good.yaml'), cm('good'));
    writeFileSync(path.join(tmp, 'mixed.yaml'), `${cm('first')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n---\n${cm('third')}`);
    const r = await renderDirectory(tmp);
    assert.deepEqual(r.objects.map((o) => o.object.metadata.name), ['good', 'first', 'third']);
    assert.equal(r.errors.length >= 1, true);
    assert.equal(r.errors[0].reason, 'parse');
    assert.equal(r.errors[0].details?.file, path.join(tmp, 'mixed.yaml'));
    assert.ok((r.errors[0].details?.line ?? 0) >= 10, `line ${r.errors[0].details?.line}`);
    assert.equal(r.objects[2].source?.startLine, 12);
  });

  it('says a .jsonnet file is not evaluated (an error naming it), honours include/exclude for it, and renders the rest', async () => {
    mkdirSync(path.join(tmp, 'lib'));
    writeFileSync(path.join(tmp, 'a.yaml'), cm('a'));
    writeFileSync(path.join(tmp, 'app.jsonnet'), '{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "j" } }');
    writeFileSync(path.join(tmp, 'lib/util.libsonnet'), '{}');
    const r = await renderDirectory(tmp, { recurse: true });
    assert.deepEqual(r.objects.map((o) => o.object.metadata.name), ['a']);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].details?.file, path.join(tmp, 'app.jsonnet'));
    assert.match(r.errors[0].message, /^app\.jsonnet: Jsonnet is not evaluated locally/);
    const excluded = await renderDirectory(tmp, { recurse: true, exclude: '*.jsonnet' });
    assert.deepEqual(excluded.errors, []);
  });

  it('stops with a cancelled error when the signal is aborted', async () => {
    writeFileSync(path.join(tmp, 'a.yaml'), cm('a'));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(renderDirectory(tmp, {}, ac.signal), (e: Error & { reason?: string }) => e.reason === 'cancelled');
  });
});
