import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appsFromCluster } from '../../../src/core/discovery';
import type { App, KubeObject } from '../../../src/core/model';
import type { ProcessRunner } from '../../../src/core/ports';
import { renderApp } from '../../../src/core/render';

/** A runner that records calls and renders nothing: a refused app must not reach any tool. */
function recordingRunner() {
  const calls: string[][] = [];
  const runner: ProcessRunner = {
    async run(cmd, args) {
      calls.push([cmd, ...args]);
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  return { runner, calls };
}

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  token: s3cr3t\n`;

describe('render: nothing outside the repository is rendered (issue 18 item 8)', () => {
  let tmp: string;
  let repo: string;
  let outside: string;
  const folderApp = (p: string, extra: Partial<App> = {}): App => ({ id: `folder:${p}`, name: 'web', kind: 'folder', path: p, sourceType: 'unknown', ...extra });

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'repo-bounds-'));
    repo = path.join(tmp, 'repo');
    outside = path.join(tmp, 'outside');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    mkdirSync(path.join(repo, 'apps/web'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'cm.yaml'), CM('stolen'));
    writeFileSync(path.join(outside, 'values.yaml'), 'a: 1\n');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses an Application that exists only in the cluster with path ../outside, naming the app and the path', async () => {
    const application: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'escape', namespace: 'argocd' },
      spec: { source: { repoURL: 'https://example.com/org/repo', path: '../outside', targetRevision: 'HEAD' }, destination: { namespace: 'web' } },
    };
    const apps = appsFromCluster([application], [{ root: repo, urls: ['https://example.com/org/repo.git'] }]);
    assert.equal(apps.length, 1, 'the app stays listed, with its error');
    assert.equal(apps[0].path, undefined);
    const r = await renderApp(apps[0], { runner: recordingRunner().runner, trusted: true });
    assert.deepEqual(r.objects, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^escape: path \.\.\/outside is outside the repository /);
  });

  it('refuses a Flux Kustomization whose spec.path leaves the repository', () => {
    const ks: KubeObject = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'escape', namespace: 'flux-system' },
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' }, path: './apps/../../outside' },
    };
    const gitRepo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'flux-system', namespace: 'flux-system' }, spec: { url: 'https://example.com/org/repo' } };
    const apps = appsFromCluster([ks, gitRepo], [{ root: repo, urls: ['https://example.com/org/repo'] }]);
    assert.deepEqual(apps.map((a) => [a.name, a.path, a.problem]), [['escape', undefined, `path ./apps/../../outside is outside the repository ${repo}; refused`]]);
  });

  it('refuses a folder holding a symlink to a file outside the repository without running kustomize', async () => {
    writeFileSync(path.join(repo, 'apps/web/kustomization.yaml'), 'resources:\n- leak.yaml\n');
    symlinkSync(path.join(outside, 'cm.yaml'), path.join(repo, 'apps/web/leak.yaml'));
    const { runner, calls } = recordingRunner();
    const r = await renderApp(folderApp(path.join(repo, 'apps/web')), { runner, trusted: true });
    assert.deepEqual(calls, []);
    assert.deepEqual(r.objects, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^web: symlink apps\/web\/leak\.yaml -> .* is outside the repository/);
  });

  it('refuses a helm values file outside the repository without running helm', async () => {
    writeFileSync(path.join(repo, 'apps/web/Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    const { runner, calls } = recordingRunner();
    const definition: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' }, spec: { source: { helm: { valueFiles: ['../../../outside/values.yaml'] } } } };
    const r = await renderApp(folderApp(path.join(repo, 'apps/web'), { kind: 'argo-application', definition }), { runner, trusted: true });
    assert.deepEqual(calls, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^web: helm values file \.\.\/\.\.\/\.\.\/outside\/values\.yaml is outside the repository/);
  });

  it('refuses a kustomization resource outside the repository without running kustomize', async () => {
    writeFileSync(path.join(repo, 'apps/web/kustomization.yaml'), 'resources:\n- ../../../outside/cm.yaml\n');
    const { runner, calls } = recordingRunner();
    const r = await renderApp(folderApp(path.join(repo, 'apps/web')), { runner, trusted: true });
    assert.deepEqual(calls, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^web: \.\.\/\.\.\/\.\.\/outside\/cm\.yaml \(named by apps\/web\/kustomization\.yaml\) is outside the repository/);
  });

  it('still renders a folder whose symlinks and kustomize bases stay inside the repository', async () => {
    mkdirSync(path.join(repo, 'base'));
    writeFileSync(path.join(repo, 'base/cm.yaml'), CM('base'));
    writeFileSync(path.join(repo, 'base/kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(path.join(repo, 'apps/web/kustomization.yaml'), 'resources:\n- ../../base\n- linked.yaml\n');
    symlinkSync('../../base/cm.yaml', path.join(repo, 'apps/web/linked.yaml'));
    const { runner, calls } = recordingRunner();
    const r = await renderApp(folderApp(path.join(repo, 'apps/web')), { runner, trusted: true });
    assert.deepEqual(r.errors, []);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].slice(1, 2), ['build']);
  });
});
