import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverApps, normalizeRepoURL, readRepoInfo, remotesFromGitConfig, resolveRepo, sameRepo } from '../../../src/core/discovery';
import { nodeProcessRunner } from '../../../src/core/ports';

describe('discovery/repoInfo', () => {
  it('normalizes https, ssh and scp-style URLs, .git suffixes and host case to one form', () => {
    const forms = [
      'https://github.com/argoproj/argo-cd.git',
      'https://GitHub.com/argoproj/argo-cd',
      'http://github.com/argoproj/argo-cd/',
      'ssh://git@github.com/argoproj/argo-cd.git',
      'ssh://git@github.com:22/argoproj/argo-cd',
      'git@github.com:argoproj/argo-cd.git',
      'https://user:token@github.com/argoproj/argo-cd.git',
    ];
    for (const f of forms) assert.equal(normalizeRepoURL(f), 'github.com/argoproj/argo-cd', f);
    assert.equal(sameRepo('git@gitlab.com:team/app.git', 'https://gitlab.com/team/app'), true);
    assert.equal(sameRepo('https://github.com/argoproj/argo-cd', 'https://github.com/argoproj/argo-cd-other'), false);
  });

  it('reads remote URLs out of a git config', () => {
    const cfg = '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:org/repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[remote "upstream"]\n\turl = https://github.com/up/repo\n[branch "main"]\n\tremote = origin\n';
    assert.deepEqual(remotesFromGitConfig(cfg), ['git@github.com:org/repo.git', 'https://github.com/up/repo']);
  });

  it('prefers the checkout on the tracked branch', () => {
    const repos = [
      { root: '/a', urls: ['https://x.io/o/r'], branch: 'main' },
      { root: '/b', urls: ['git@x.io:o/r.git'], branch: 'dev' },
    ];
    assert.equal(resolveRepo(repos, 'https://x.io/o/r.git', 'dev').repo?.root, '/b');
    assert.equal(resolveRepo(repos, 'https://x.io/o/r.git', 'HEAD').repo?.root, '/a');
    assert.deepEqual(resolveRepo(repos, 'https://y.io/o/r', 'HEAD'), { problem: 'repo not in workspace: https://y.io/o/r' });
  });

  describe('on a real git repository', function () {
    this.timeout(30000);
    let tmp: string;
    before(() => {
      tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'repo-info-')));
      const git = (...args: string[]) => execFileSync('git', args, { cwd: tmp, stdio: 'pipe' });
      git('init', '-q', '-b', 'main');
      git('remote', 'add', 'origin', 'git@github.com:acme/deploy.git');
      mkdirSync(path.join(tmp, 'apps/web'), { recursive: true });
      mkdirSync(path.join(tmp, 'argocd'), { recursive: true });
      writeFileSync(path.join(tmp, 'apps/web/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n');
      writeFileSync(
        path.join(tmp, 'argocd/web.yaml'),
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://GitHub.com/acme/deploy.git\n    path: apps/web\n    targetRevision: main\n  destination:\n    namespace: web\n',
      );
      // A second checkout nested in the workspace, as in a folder holding several repos.
      mkdirSync(path.join(tmp, 'other/apps/api'), { recursive: true });
      execFileSync('git', ['init', '-q', '-b', 'release'], { cwd: path.join(tmp, 'other'), stdio: 'pipe' });
      execFileSync('git', ['remote', 'add', 'origin', 'https://github.com/acme/other'], { cwd: path.join(tmp, 'other'), stdio: 'pipe' });
      writeFileSync(path.join(tmp, 'other/apps/api/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\n');
      writeFileSync(
        path.join(tmp, 'argocd/api.yaml'),
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\n  namespace: argocd\nspec:\n  source:\n    repoURL: git@github.com:acme/other.git\n    path: apps/api\n    targetRevision: release\n',
      );
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it('gets toplevel, remotes and branch through git and by reading .git directly', async () => {
      const sub = path.join(tmp, 'apps');
      const viaGit = await readRepoInfo(sub, { runner: nodeProcessRunner });
      const direct = await readRepoInfo(sub);
      assert.deepEqual(viaGit, { root: tmp, urls: ['git@github.com:acme/deploy.git'], branch: 'main' });
      assert.deepEqual(direct, viaGit);
      assert.equal(await readRepoInfo(path.parse(tmp).root), undefined);
    });

    it('matches an Application to the workspace remote and resolves its path', async () => {
      const apps = await discoverApps([tmp], { runner: nodeProcessRunner });
      const web = apps.find((a) => a.id === 'argo:argocd/web')!;
      assert.equal(web.path, path.join(tmp, 'apps/web'));
      assert.equal(web.problem, undefined);
      assert.equal(web.definedIn?.file, path.join(tmp, 'argocd/web.yaml'));
      const api = apps.find((a) => a.id === 'argo:argocd/api')!;
      assert.equal(api.path, path.join(tmp, 'other/apps/api'));
      assert.equal(api.problem, undefined);
      // App folders are claimed by the Applications; the folder holding the Applications is a manifest folder.
      assert.deepEqual(apps.map((a) => a.id).sort(), ['argo:argocd/api', 'argo:argocd/web', 'folder:argocd']);
    });
  });
});
