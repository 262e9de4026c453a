// Chart dependencies declared but not vendored in charts/: built in a shadow of the chart (never in the workspace)
// and templated again, as Argo CD's repo-server does after helm's "missing in charts/ directory" error; a file://
// dependency outside the repository is refused; a dependency from an unknown chart repository says so. Pinned helm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { RenderCache } from '../../../src/core/render/renderCache';

function chart(dir: string, name: string, chartYaml: string, templates: Record<string, string>, values?: string): void {
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n${chartYaml}`);
  for (const [f, t] of Object.entries(templates)) writeFileSync(path.join(dir, 'templates', f), t);
  if (values) writeFileSync(path.join(dir, 'values.yaml'), values);
}

describe('render/helm chart dependencies (pinned helm)', function () {
  this.timeout(60_000);
  let root: string;
  let repo: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gd-helmdeps-'));
    repo = path.join(root, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    chart(path.join(repo, 'charts-src/common'), 'common', '', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\ndata:\n  greeting: {{ .Values.greeting | default "hi" | quote }}\n' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const app = (dir: string): App => ({ id: 'argo:argocd/umbrella', name: 'umbrella', kind: 'argo-application', namespace: 'argocd', sourceType: 'helm', path: dir, repoRoot: repo, destinationNamespace: 'web' });
  const svc = { 'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: 80}]\n' };

  it('a file:// dependency missing from charts/ is built in a shadow and rendered with its values; the workspace is not written', async () => {
    const dir = path.join(repo, 'charts-src/umbrella');
    chart(dir, 'umbrella', 'dependencies:\n  - name: common\n    version: 1.0.0\n    repository: file://../common\n', svc, 'common:\n  greeting: hello\n');
    const before = readdirSync(dir).sort();
    const r = await renderApp(app(dir), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors.map((e) => e.message), []);
    const cm = r.objects.find((o) => o.object.kind === 'ConfigMap')?.object as { metadata: { name: string }; data: Record<string, string> } | undefined;
    assert.deepEqual(r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort(), ['ConfigMap/umbrella-common', 'Service/umbrella']);
    assert.equal(cm?.data.greeting, 'hello', "the umbrella's values reach the dependency");
    assert.deepEqual(readdirSync(dir).sort(), before, 'no charts/ or Chart.lock written into the workspace');
    assert.equal(existsSync(path.join(dir, 'charts')), false);
  });

  it('the render cache tracks the dependency folder', async () => {
    const dir = path.join(repo, 'charts-src/umbrella');
    chart(dir, 'umbrella', 'dependencies:\n  - name: common\n    version: 1.0.0\n    repository: file://../common\n', svc);
    const inputs = await new RenderCache({ runner: nodeProcessRunner }).inputsOf(app(dir));
    assert.ok(inputs.roots.includes(path.join(repo, 'charts-src/common')), inputs.roots.join(', '));
  });

  it('a file:// dependency outside the repository is refused before helm reads it', async () => {
    chart(path.join(root, 'outside'), 'outside', '', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaked\n' });
    const dir = path.join(repo, 'charts-src/umbrella');
    chart(dir, 'umbrella', 'dependencies:\n  - name: outside\n    version: 1.0.0\n    repository: file://../../../outside\n', svc);
    const r = await renderApp(app(dir), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.objects, []);
    assert.match(r.errors[0]?.message ?? '', /chart dependency outside of .* \(file:\/\/\.\.\/\.\.\/\.\.\/outside\) is outside the repository .*; refused/);
  });

  it('a dependency from a chart repository helm does not know: an error naming the chart and the repository', async () => {
    const dir = path.join(repo, 'charts-src/umbrella');
    chart(dir, 'umbrella', 'dependencies:\n  - name: redis\n    version: 19.0.0\n    repository: https://charts.example.invalid/stable\n', svc);
    const r = await renderApp(app(dir), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.objects, []);
    assert.match(r.errors[0]?.message ?? '', /chart dependencies of .*umbrella are not vendored in charts\/ and helm dependency build failed: .*redis \(https:\/\/charts\.example\.invalid\/stable\)/s);
  });
});
