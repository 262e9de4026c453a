// The simulated Flux against the emulator: GitRepository artifacts, Kustomization apply/inventory,
// drift correction with the kubectl* field takeover, suspend/resume, requestedAt, prune, HelmRelease.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster, type TestCluster } from '../../backend/testCluster';
import { ensureGitOpsCrds, waitFor } from '../demo/seed-demo-world';
import { FAST_TIMING } from './controller-context';
import { KubeRest, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './kube-rest';
import { type RunningControllers, startControllers } from './start-controllers';
import { gitCommit, makeTestRepo, TEST_REPO_URL } from './test-repo';

const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const GITREPO = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories';
const DEPLOY = '/apis/apps/v1/namespaces/apps/deployments/web';

describe('simulated Flux controllers (on the test cluster: KUBE_BACKEND)', function () {
  this.timeout(60_000);
  let emu: TestCluster;
  let controllers: RunningControllers;
  let rest: KubeRest;
  let tmp: string;
  let repo: string;

  const ks = async () => (await rest.call('GET', `${KS}/apps`)) as any;
  const ready = (o: any) => o?.status?.conditions?.find((c: any) => c.type === 'Ready');
  const deployment = async () => (await rest.call('GET', DEPLOY)) as any;
  const kubectlEdit = () =>
    rest.call('PATCH', DEPLOY, {
      body: { spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', env: [{ name: 'DEBUG', value: 'true' }] }] } } } },
      contentType: STRATEGIC_MERGE_PATCH,
      query: { fieldManager: 'kubectl-edit' },
    });
  const hasDebugEnv = (d: any) => d.spec.template.spec.containers[0].env.some((e: any) => e.name === 'DEBUG');

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-ctl-'));
    repo = makeTestRepo(path.join(tmp, 'repo'));
    emu = await startTestCluster();
    rest = await KubeRest.fromKubeconfig(emu.kubeconfigPath);
    await ensureGitOpsCrds(rest);
    for (const name of ['flux-system', 'apps']) await rest.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    controllers = await startControllers({ kubeconfigPath: emu.kubeconfigPath, repoMap: { [TEST_REPO_URL]: repo }, timing: FAST_TIMING, argo: false });
  });

  after(async () => {
    await controllers?.stop();
    await emu?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('GitRepository gets an artifact revision <branch>@sha1:<commit> and Ready', async () => {
    await rest.call('POST', GITREPO, {
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'web', namespace: 'flux-system' }, spec: { interval: '1m', url: TEST_REPO_URL, ref: { branch: 'main' } } },
    });
    const src = await waitFor('GitRepository Ready', async () => {
      const o = await rest.call('GET', `${GITREPO}/web`);
      return ready(o)?.status === 'True' && o;
    }, 10_000);
    const sha = fs.readFileSync(path.join(repo, '.git/refs/heads/main'), 'utf8').trim();
    assert.equal(src.status.artifact.revision, `main@sha1:${sha}`);
  });

  it('Kustomization applies as kustomize-controller with owner labels, inventory and revisions', async () => {
    await rest.call('POST', KS, {
      body: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: 'flux-system' },
        spec: { interval: '5m', path: './web', prune: true, targetNamespace: 'apps', sourceRef: { kind: 'GitRepository', name: 'web' } },
      },
    });
    const k = await waitFor('Kustomization Ready', async () => {
      const o = await ks();
      return ready(o)?.status === 'True' && o;
    }, 10_000);
    const src = await rest.call('GET', `${GITREPO}/web`);
    assert.equal(k.status.lastAppliedRevision, src.status.artifact.revision);
    assert.equal(k.status.lastAttemptedRevision, src.status.artifact.revision);
    assert.equal(ready(k).reason, 'ReconciliationSucceeded');
    assert.deepEqual(k.status.inventory.entries.map((e: any) => e.id).sort(), ['apps_web-config__ConfigMap', 'apps_web-extra__ConfigMap', 'apps_web__Service', 'apps_web_apps_Deployment']);
    const d = await deployment();
    assert.equal(d.metadata.labels['kustomize.toolkit.fluxcd.io/name'], 'apps');
    assert.equal(d.metadata.labels['kustomize.toolkit.fluxcd.io/namespace'], 'flux-system');
    assert.ok(d.metadata.managedFields.some((m: any) => m.manager === 'kustomize-controller' && m.operation === 'Apply'));
    // Real kubectl reads the same status.
    const readyByKubectl = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', emu.kubeconfigPath, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', 'apps', '-n', 'flux-system', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (err, out, errOut) =>
        err ? reject(new Error(errOut || err.message)) : resolve(out),
      ),
    );
    assert.equal(readyByKubectl.trim(), 'True');
  });

  it('a suspended Kustomization keeps drift; once resumed, drift is reverted and the kubectl-added env var removed', async () => {
    await rest.call('PATCH', `${KS}/apps`, { body: { spec: { suspend: true } }, contentType: MERGE_PATCH });
    await new Promise((r) => setTimeout(r, FAST_TIMING.pollMs * 6)); // let an in-flight pass finish
    await kubectlEdit();
    await new Promise((r) => setTimeout(r, FAST_TIMING.reconcileIntervalMs * 3));
    let d = await deployment();
    assert.equal(d.spec.replicas, 5);
    assert.ok(hasDebugEnv(d));
    assert.ok(d.metadata.managedFields.some((m: any) => m.manager === 'kubectl-edit'));

    await rest.call('PATCH', `${KS}/apps`, { body: { spec: { suspend: false } }, contentType: MERGE_PATCH });
    d = await waitFor('drift corrected', async () => {
      const x = await deployment();
      return x.spec.replicas === 2 && !hasDebugEnv(x) && x;
    }, 10_000);
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'LOG_LEVEL', value: 'info' }]);
    assert.ok(!d.metadata.managedFields.some((m: any) => m.manager === 'kubectl-edit'), 'kubectl-edit fields were taken over');
  });

  it('drift is corrected at the interval, and a reconcile request is recorded in lastHandledReconcileAt', async () => {
    await kubectlEdit();
    await waitFor('interval reconcile reverts drift', async () => {
      const x = await deployment();
      return x.spec.replicas === 2 && !hasDebugEnv(x);
    }, 10_000);
    const token = `${Date.now()}`;
    await rest.call('PATCH', `${KS}/apps`, { body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } }, contentType: MERGE_PATCH });
    await waitFor('lastHandledReconcileAt', async () => (await ks()).status.lastHandledReconcileAt === token, 10_000);
  });

  it('a new commit is applied and objects removed from Git are pruned', async () => {
    fs.rmSync(path.join(repo, 'web/config.yaml'));
    const sha = gitCommit(repo, 'drop config');
    await rest.call('PATCH', `${GITREPO}/web`, { body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } } }, contentType: MERGE_PATCH });
    const k = await waitFor('new revision applied', async () => {
      const o = await ks();
      return o.status.lastAppliedRevision === `main@sha1:${sha}` && o;
    }, 10_000);
    assert.deepEqual(k.status.inventory.entries.map((e: any) => e.id).sort(), ['apps_web-extra__ConfigMap', 'apps_web__Service', 'apps_web_apps_Deployment']);
    assert.equal((await rest.request('GET', '/api/v1/namespaces/apps/configmaps/web-config')).status, 404);
  });

  it('a HelmRelease is accepted and gets a Ready status without rendering charts', async () => {
    await rest.call('POST', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases', {
      body: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        spec: { interval: '5m', chart: { spec: { chart: 'podinfo', version: '6.7.1', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
      },
    });
    const hr = await waitFor('HelmRelease Ready', async () => {
      const o = await rest.call('GET', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases/podinfo');
      return ready(o)?.status === 'True' && o;
    }, 10_000);
    assert.equal(hr.status.history[0].chartVersion, '6.7.1');
  });
});
