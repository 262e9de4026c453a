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
});
