// ARGOCD_APP_REVISION(_SHORT, _SHORT_8) in Argo's build environment (argo-cd reposerver/repository newEnv: the
// resolved commit, its first 7 and 8 characters), from the checkout's HEAD; git runs only when the options use it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../../src/core/model';
import { nodeProcessRunner, type ProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { argoRevision } from '../../../src/core/render/argoRevision';
import { RenderCache } from '../../../src/core/render/renderCache';
import { argoBuildEnv } from '../../../src/core/render/renderArgoKustomize';

describe('render/argoRevision (ARGOCD_APP_REVISION from the checkout)', function () {
  this.timeout(60_000);
  let repo: string;
  let head: string;
  before(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'gd-argo-rev-'));
    const chart = path.join(repo, 'chart');
    await fs.mkdir(path.join(chart, 'templates'), { recursive: true });
    await fs.writeFile(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    await fs.writeFile(path.join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  rev: {{ .Values.rev | quote }}\n');
    const git = (args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
    execFileSync('git', ['init', '-q', repo]);
    git(['add', '-A']);
    git(['commit', '-q', '-m', 'c']);
    head = git(['rev-parse', 'HEAD']);
  });
  after(() => fs.rm(repo, { recursive: true, force: true }));

  const app = (helm: Record<string, unknown>): App => ({
    id: 'argo:argocd/c',
    name: 'c',
    kind: 'argo-application',
    namespace: 'argocd',
    path: path.join(repo, 'chart'),
    repoRoot: repo,
    sourceType: 'helm',
    destinationNamespace: 'c',
    definition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'c', namespace: 'argocd' }, spec: { source: { repoURL: 'https://example.com/r.git', path: 'chart', helm }, destination: { namespace: 'c' } } },
  });

  it('the build environment has the revision and its 7- and 8-character forms', () => {
    const env = argoBuildEnv(app({}), { revision: head });
    assert.deepEqual([env.ARGOCD_APP_REVISION, env.ARGOCD_APP_REVISION_SHORT, env.ARGOCD_APP_REVISION_SHORT_8], [head, head.slice(0, 7), head.slice(0, 8)]);
  });

  it('is the HEAD commit when the options mention it; git is not run otherwise', async () => {
    const calls: string[][] = [];
    const recording: ProcessRunner = { run: (cmd, args, opts) => (calls.push([cmd, ...args]), nodeProcessRunner.run(cmd, args, opts)) };
    assert.equal(await argoRevision(app({ parameters: [{ name: 'rev', value: '$ARGOCD_APP_NAME' }] }), { runner: recording }), undefined);
    assert.deepEqual(calls, []);
    assert.equal(await argoRevision(app({ parameters: [{ name: 'rev', value: '$ARGOCD_APP_REVISION_SHORT' }] }), { runner: recording }), head);
    assert.deepEqual(calls, [['git', 'rev-parse', '--verify', '-q', 'HEAD']]);
  });

  it('a helm parameter gets it (rendered with the pinned helm)', async () => {
    const r = await renderApp(app({ parameters: [{ name: 'rev', value: 'v-$ARGOCD_APP_REVISION_SHORT_8' }] }), { runner: nodeProcessRunner, trusted: true });
    assert.deepEqual(r.errors.map((e) => e.message), []);
    assert.equal((r.objects[0]?.object.data as Record<string, string>).rev, `v-${head.slice(0, 8)}`);
  });

  it('a render that uses the revision, or a `$VAR` value file path, is not cached (a new commit changes no hashed file)', async () => {
    const cache = new RenderCache({ runner: nodeProcessRunner });
    assert.ok((await cache.inputsOf(app({ parameters: [{ name: 'rev', value: 'x' }] }))).key, 'an ordinary app is cached');
    assert.equal((await cache.inputsOf(app({ parameters: [{ name: 'rev', value: '$ARGOCD_APP_REVISION' }] }))).key, undefined);
    assert.equal((await cache.inputsOf(app({ valueFiles: ['values-$ARGOCD_APP_NAMESPACE.yaml'] }))).key, undefined);
    await fs.writeFile(path.join(repo, 'chart', '.argocd-source-c.yaml'), 'helm:\n  parameters:\n    - name: rev\n      value: $ARGOCD_APP_REVISION_SHORT\n');
    try {
      assert.equal((await cache.inputsOf(app({}))).key, undefined, 'from an override file too');
    } finally {
      await fs.rm(path.join(repo, 'chart', '.argocd-source-c.yaml'));
    }
  });
});
