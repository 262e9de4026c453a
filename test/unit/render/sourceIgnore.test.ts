// `.sourceignore` (issue 14 item 4): source-controller leaves the files it matches out of the artifact, so the
// kustomization Flux generates for a path never lists them. Pattern semantics of fluxcd/pkg/sourceignore (go-git
// gitignore): domains per file, name patterns at any depth, anchored `/` patterns, `**`, dir-only, `!` re-include.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App, KubeObject } from '../../../src/core/model';
import { nodeProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';
import { appFromFluxKustomization } from '../../../src/core/discovery/fluxApps';
import { RenderStore } from '../../../src/core/engine/renderStore';
import { loadSourceIgnore, matcherOf, readPatterns } from '../../../src/core/render/sourceIgnore';

describe('render/sourceIgnore', function () {
  this.timeout(30_000);

  it('matches as go-git gitignore does', () => {
    const m = matcherOf([...readPatterns('# comment\n*.tmp.yaml\n/drafts/\ndocs/**/examples\n!keep.tmp.yaml\n', []), ...readPatterns('secret-*.yaml\n', ['apps', 'web'])]);
    assert.equal(m('apps/web/a.tmp.yaml', false), true, 'name pattern at any depth');
    assert.equal(m('apps/keep.tmp.yaml', false), false, 'a later ! re-includes');
    assert.equal(m('drafts', true), true);
    assert.equal(m('drafts/x.yaml', false), true, 'below an ignored folder');
    assert.equal(m('apps/drafts/x.yaml', false), false, 'anchored to its domain');
    assert.equal(m('docs/a/b/examples/x.yaml', false), true, '** spans folders');
    assert.equal(m('apps/web/secret-db.yaml', false), true, 'a nested .sourceignore applies below its folder');
    assert.equal(m('apps/api/secret-db.yaml', false), false, '… and only there');
  });

  it('the kustomization Flux generates leaves .sourceignore-d files out', async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'gd-sourceignore-'));
    try {
      const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
      mkdirSync(path.join(repo, 'apps/web/drafts'), { recursive: true });
      writeFileSync(path.join(repo, '.sourceignore'), '*.draft.yaml\n');
      writeFileSync(path.join(repo, 'apps/web/.sourceignore'), 'drafts/\n');
      writeFileSync(path.join(repo, 'apps/web/a.yaml'), cm('a'));
      writeFileSync(path.join(repo, 'apps/web/b.draft.yaml'), cm('b'));
      writeFileSync(path.join(repo, 'apps/web/drafts/c.yaml'), cm('c'));
      const ks: KubeObject = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'web', namespace: 'flux-system' }, spec: { path: './apps/web', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } };
      const app: App = { id: 'flux:flux-system/web', name: 'web', kind: 'flux-kustomization', namespace: 'flux-system', path: path.join(repo, 'apps/web'), repoRoot: repo, sourceType: 'directory', directory: { recurse: true }, definition: ks };
      const r = await renderApp(app, { runner: nodeProcessRunner, trusted: true });
      assert.deepEqual(r.errors.map((e) => e.message), []);
      assert.deepEqual(r.objects.map((o) => o.object.metadata.name), ['a']);
      assert.ok(await loadSourceIgnore(repo, path.join(repo, 'apps/web')));
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  /** A repository with a Flux app folder (no kustomization: Flux generates one) and the app as discovery makes it. */
  function fluxRepo(ignore?: string, spec: Record<string, unknown> = {}): { repo: string; app: App } {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'gd-specignore-'));
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    mkdirSync(path.join(repo, 'apps/web'), { recursive: true });
    for (const n of ['a', 'b', 'c']) writeFileSync(path.join(repo, `apps/web/${n}.yaml`), cm(n));
    const ks: KubeObject = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'web', namespace: 'flux-system' }, spec: { path: './apps/web', sourceRef: { kind: 'GitRepository', name: 'repo' }, ...spec } };
    const gitRepo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'repo', namespace: 'flux-system' }, spec: { url: 'https://example.com/org/repo', ref: { branch: 'main' }, ...(ignore ? { ignore } : {}) } };
    const app = appFromFluxKustomization(ks, [{ root: repo, urls: ['https://example.com/org/repo'] }], { gitRepositories: [gitRepo], artifactGenerators: [] });
    return { repo, app };
  }
  const names = (r: { objects: { object: KubeObject }[] }) => r.objects.map((o) => o.object.metadata.name);

  it("the GitRepository's spec.ignore leaves files out after the .sourceignore files, and wins over their re-includes", async () => {
    const { repo, app } = fluxRepo('/apps/web/b.yaml\nc.yaml\n');
    try {
      assert.equal(app.sourceIgnore, '/apps/web/b.yaml\nc.yaml\n', 'discovery keeps spec.ignore on the app');
      writeFileSync(path.join(repo, 'apps/web/.sourceignore'), '!c.yaml\n');
      const r = await renderApp(app, { runner: nodeProcessRunner, trusted: true });
      assert.deepEqual(r.errors.map((e) => e.message), []);
      assert.deepEqual(names(r), ['a']);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('a .sourceignore above the app folder, added or changed, renders the app again (not answered from the render cache)', async () => {
    // A spec field makes the render a kustomize build, which the cache keeps.
    const { repo, app } = fluxRepo(undefined, { targetNamespace: 'web' });
    const cacheDir = path.join(os.tmpdir(), `gd-specignore-cache-${process.pid}`);
    try {
      const first = await new RenderStore({ runner: nodeProcessRunner, trusted: true, cacheDir }).render(app, undefined);
      assert.deepEqual(names(first), ['a', 'b', 'c']);
      const again = new RenderStore({ runner: nodeProcessRunner, trusted: true, cacheDir });
      for (let i = 0; i < 50 && !(await import('node:fs/promises').then((f) => f.readdir(path.join(cacheDir, 'render-cache-v1')).catch(() => []))).length; i++) await new Promise((r) => setTimeout(r, 20));
      await again.render(app, undefined);
      assert.deepEqual(again.stats, { cached: 1, rendered: 0 }, 'unchanged inputs: answered from the cache');
      writeFileSync(path.join(repo, '.sourceignore'), 'b.yaml\n');
      const second = await new RenderStore({ runner: nodeProcessRunner, trusted: true, cacheDir }).render(app, undefined);
      assert.deepEqual(names(second), ['a', 'c']);
    } finally {
      rmSync(repo, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
