// Revert forecasts (issue 15) against what the simulated Argo CD and Flux controllers then do, on the test cluster
// (KUBE_BACKEND=emulator|real). Each scenario: edit live as a person would, compute the drift and its forecast with
// the engine, then watch the controller: a forecast revert must happen (before the forecast time), a forecast
// "kept" must still be there after a marker proves the controller has run since (never a bare sleep).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster, type TestCluster } from '../backend/testCluster';
import { ensureGitOpsCrds, waitFor } from './demo/seed-demo-world';
import { APPLY_PATCH, KubeRest, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './controllers/kube-rest';
import { parseManifests } from './controllers/render-manifests';
import { type RunningControllers, startControllers } from './controllers/start-controllers';
import { gitCommit, makeTestRepo, TEST_REPO_URL } from './controllers/test-repo';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { nodeProcessRunner } from '../../src/core/ports';
import type { AppDrift } from '../../src/core/engine/driftTypes';
import { forecastChange, type RevertForecast } from '../../src/core/forecast/revertForecast';
import { main, type CliIo } from '../../src/cli/cli';

const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const deployPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments/web`;
/** Long enough for the engine to compute between an edit and the controller's answer, short enough for a test. */
const TIMING = { pollMs: 50, reconcileIntervalMs: 8000, selfHealDelayMs: 8000 };

function argoApp(name: string, syncPolicy: Record<string, unknown>): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${TEST_REPO_URL}
    targetRevision: main
    path: web
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
  syncPolicy: ${JSON.stringify({ ...syncPolicy, syncOptions: ['CreateNamespace=true'] })}
`;
}

function fluxKs(name: string): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ./web
  prune: true
  targetNamespace: ${name}
  sourceRef:
    kind: GitRepository
    name: web
`;
}

describe('revert forecast matches the simulated controllers (on the test cluster: KUBE_BACKEND)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let controllers: RunningControllers;
  let rest: KubeRest;
  let tmp: string;
  let repo: string;
  let engine: DriftEngine;

  const deployment = async (ns: string) => (await rest.call('GET', deployPath(ns))) as any;
  const envNames = (d: any): string[] => (d.spec.template.spec.containers[0].env ?? []).map((e: any) => e.name);
  /** A live edit the way `kubectl edit` records it, plus a live-only env var by `manager`. */
  const editLive = async (ns: string, envManager = 'kubectl-edit') => {
    await rest.call('PATCH', deployPath(ns), { body: { spec: { replicas: 5 } }, contentType: STRATEGIC_MERGE_PATCH, query: { fieldManager: 'kubectl-edit' } });
    await rest.call('PATCH', deployPath(ns), {
      body: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'HOTFIX', value: '1' }] }] } } } },
      contentType: STRATEGIC_MERGE_PATCH,
      query: { fieldManager: envManager },
    });
  };
  const appDrift = async (id: string): Promise<AppDrift> => {
    const snap = await engine.compute([cluster.contextName]);
    const a = snap.clusters[0].apps.find((x) => x.app.id === id);
    assert.ok(a, `app ${id} in ${snap.clusters[0].apps.map((x) => x.app.id).join(', ')}`);
    return a;
  };
  /** The forecasts of the Deployment's replicas and HOTFIX env changes. */
  const forecasts = (a: AppDrift): { replicas: RevertForecast; hotfix: RevertForecast } => {
    const d = a.resources.find((r) => r.ref.kind === 'Deployment' && r.ref.name === 'web');
    assert.ok(d && d.status === 'Modified', `${a.app.id}: Deployment web drifted (${d?.status})`);
    const rc = d.changes.find((c) => c.path === 'spec.replicas');
    const hc = d.changes.find((c) => c.path.includes('env[name=HOTFIX]'));
    assert.ok(rc && hc, `${a.app.id}: changes ${d.changes.map((c) => c.path).join(', ')}`);
    return { replicas: forecastChange(a, d, rc), hotfix: forecastChange(a, d, hc) };
  };
  /** Marker: asks Flux to reconcile `name` and waits until it has handled that very request (after applying). */
  const fluxReconciled = async (name: string) => {
    const token = `forecast-${Date.now()}`;
    await rest.call('PATCH', `${KS}/${name}`, { body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } }, contentType: MERGE_PATCH, query: { fieldManager: 'flux' } });
    await waitFor(`${name} handled reconcile request ${token}`, async () => (await rest.call('GET', `${KS}/${name}`))?.status?.lastHandledReconcileAt === token, 30_000);
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forecast-'));
    repo = makeTestRepo(path.join(tmp, 'repo'));
    execFileSync('git', ['remote', 'add', 'origin', TEST_REPO_URL], { cwd: repo });
    fs.mkdirSync(path.join(repo, 'deploy'));
    fs.writeFileSync(path.join(repo, 'deploy/apps.yaml'), [argoApp('heal', { automated: { selfHeal: true, prune: true } }), argoApp('paused', { automated: { selfHeal: true, enabled: false } }), argoApp('manual', {})].join('---\n'));
    fs.writeFileSync(
      path.join(repo, 'deploy/flux.yaml'),
      [`apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: ${TEST_REPO_URL}\n  ref:\n    branch: main\n`, fluxKs('fluxon'), fluxKs('fluxoff')].join('---\n'),
    );
    gitCommit(repo, 'apps');
    cluster = await startTestCluster();
    rest = await KubeRest.fromKubeconfig(cluster.kubeconfigPath);
    await ensureGitOpsCrds(rest);
    for (const name of ['argocd', 'flux-system', 'fluxon', 'fluxoff']) await rest.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    controllers = await startControllers({ kubeconfigPath: cluster.kubeconfigPath, repoMap: { [TEST_REPO_URL]: repo }, timing: TIMING });
    // What `kubectl apply --server-side -f` sends (in-process: the emulator shares this event loop).
    const kubectl = async (text: string) => {
      for (const o of parseManifests(text, 'apply.yaml')) await rest.call('PATCH', await rest.objectPath(o), { body: o, contentType: APPLY_PATCH, query: { fieldManager: 'kubectl', force: 'true' } });
    };
    await kubectl(fs.readFileSync(path.join(repo, 'deploy/flux.yaml'), 'utf8'));
    // The apps start with auto-sync so that every one of them is deployed; paused and manual change afterwards.
    await kubectl([argoApp('heal', { automated: { selfHeal: true, prune: true } }), argoApp('paused', { automated: { selfHeal: true } }), argoApp('manual', { automated: {} })].join('---\n'));
    for (const ns of ['heal', 'paused', 'manual', 'fluxon', 'fluxoff']) await waitFor(`Deployment web in ${ns}`, async () => (await rest.getOrUndefined(deployPath(ns))) !== undefined, 60_000);
    await kubectl(fs.readFileSync(path.join(repo, 'deploy/apps.yaml'), 'utf8'));
    await rest.call('PATCH', `${KS}/fluxoff`, { body: { spec: { suspend: true } }, contentType: MERGE_PATCH, query: { fieldManager: 'flux' } });
    // Let any pass that read the apps before these changes finish: from here the controllers see the new policies.
    await controllers.settled();
    engine = new DriftEngine({ roots: [repo], clientFor: (c) => createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: c }), runner: nodeProcessRunner, trusted: true, humanManagers: ['ops-console'] });
  });

  after(async () => {
    await controllers?.stop();
    await cluster?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Argo CD selfHeal: replicas "reverted at the next reconcile" is reverted before the forecast time; the live-only env "never" stays', async () => {
    await editLive('heal');
    const f = forecasts(await appDrift('argo:argocd/heal'));
    assert.equal(f.replicas.when, 'next-reconcile');
    assert.equal(f.replicas.rule, 'spec.syncPolicy.automated.selfHeal: true');
    assert.equal(f.hotfix.when, 'never');
    assert.equal(f.hotfix.lostIfRecreated, true);
    await waitFor('self-heal reverts replicas', async () => (await deployment('heal')).spec.replicas === 2, 60_000);
    assert.ok(Date.now() <= Date.parse(f.replicas.at!) + 1000, `reverted by ${f.replicas.at}`);
    // The marker is the revert itself: the same apply that set replicas back left the env var alone.
    assert.ok(envNames(await deployment('heal')).includes('HOTFIX'));
  });

  it('Argo CD paused (enabled: false): "kept while paused" holds while the controller keeps running', async () => {
    await editLive('paused');
    const f = forecasts(await appDrift('argo:argocd/paused'));
    assert.equal(f.replicas.when, 'while-paused');
    assert.equal(f.replicas.rule, 'spec.syncPolicy.automated.enabled: false');
    // Marker: an edit of the self-healing app made after this one is reverted, so the controller has run past the
    // paused app's self-heal delay several times.
    await rest.call('PATCH', deployPath('heal'), { body: { spec: { replicas: 7 } }, contentType: STRATEGIC_MERGE_PATCH, query: { fieldManager: 'kubectl-edit' } });
    await waitFor('the marker edit on heal is reverted', async () => (await deployment('heal')).spec.replicas === 2, 60_000);
    await controllers.settled();
    const d = await deployment('paused');
    assert.equal(d.spec.replicas, 5);
    assert.ok(envNames(d).includes('HOTFIX'));
  });

  it('Argo CD without automated: "kept until the next sync", then a manual sync reverts it', async () => {
    await rest.call('PATCH', `${APPS}/manual`, { body: { spec: { syncPolicy: { automated: null } } }, contentType: MERGE_PATCH, query: { fieldManager: 'kubectl-patch' } });
    await controllers.settled();
    await editLive('manual');
    const f = forecasts(await appDrift('argo:argocd/manual'));
    assert.equal(f.replicas.when, 'next-sync');
    await controllers.settled();
    await controllers.settled();
    assert.equal((await deployment('manual')).spec.replicas, 5, 'no sync, no revert');
    await rest.call('PATCH', `${APPS}/manual`, { body: { operation: { initiatedBy: { username: 'test' }, sync: { revision: 'main' } } }, contentType: MERGE_PATCH, query: { fieldManager: 'argocd-server' } });
    await waitFor('the manual sync reverts replicas', async () => (await deployment('manual')).spec.replicas === 2, 60_000);
    assert.ok(envNames(await deployment('manual')).includes('HOTFIX'), 'the live-only env var (forecast never) survives the sync');
  });

  it('Flux not suspended: replicas and the kubectl-edit env are reverted at the next reconcile; an env of another manager stays', async () => {
    // Edit right after a reconcile: the next one is an interval away, long enough to compute the forecast.
    await fluxReconciled('fluxon');
    await editLive('fluxon');
    await rest.call('PATCH', deployPath('fluxon'), {
      body: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'OPS', value: 'x' }] }] } } } },
      contentType: STRATEGIC_MERGE_PATCH,
      query: { fieldManager: 'ops-console' },
    });
    const a = await appDrift('flux:flux-system/fluxon');
    const f = forecasts(a);
    const d = a.resources.find((r) => r.ref.kind === 'Deployment')!;
    const ops = forecastChange(a, d, d.changes.find((c) => c.path.includes('env[name=OPS]'))!);
    assert.equal(f.replicas.when, 'next-reconcile');
    assert.equal(f.replicas.rule, 'spec.interval: 10m');
    assert.ok(f.replicas.at, 'the time of the next reconcile is given');
    assert.equal(f.hotfix.when, 'next-reconcile');
    assert.equal(ops.when, 'never');
    await waitFor('Flux reverts replicas', async () => (await deployment('fluxon')).spec.replicas === 2, 60_000);
    assert.ok(Date.now() <= Date.parse(f.replicas.at!) + 1000);
    const after = await deployment('fluxon');
    assert.ok(!envNames(after).includes('HOTFIX'), 'the kubectl-edit env var was removed with the same apply');
    assert.ok(envNames(after).includes('OPS'), 'the env var of a manager Flux does not take over stays');
  });

  it('Flux suspended: "kept while suspended" holds while Flux reconciles the others', async () => {
    await editLive('fluxoff');
    const f = forecasts(await appDrift('flux:flux-system/fluxoff'));
    assert.equal(f.replicas.when, 'while-paused');
    assert.equal(f.replicas.rule, 'spec.suspend: true');
    assert.equal(f.hotfix.when, 'while-paused');
    // Marker: the other Kustomization handled a reconcile request made after the edit, twice (whole passes).
    await fluxReconciled('fluxon');
    await controllers.settled();
    const d = await deployment('fluxoff');
    assert.equal(d.spec.replicas, 5);
    assert.ok(envNames(d).includes('HOTFIX'));
  });

  it('CLI resume --dry-run prints what resuming would change (reverts, lost live-only edits) and applies nothing', async () => {
    const io = (): CliIo & { stdout: string; stderr: string } => {
      const o = { stdout: '', stderr: '', env: { ...process.env }, cwd: repo, isTTY: false } as CliIo & { stdout: string; stderr: string };
      o.out = (x: string) => void (o.stdout += x);
      o.err = (x: string) => void (o.stderr += x);
      return o;
    };
    const flux = io();
    assert.equal(await main(['resume', 'fluxoff', '--dry-run', '--repo', repo, '--kubeconfig', cluster.kubeconfigPath], flux), 0, flux.stderr);
    assert.match(flux.stdout, /^fluxoff: resume — reverts 1 field, loses 1 live-only edit$/m);
    assert.match(flux.stdout, /revert {2}Deployment fluxoff\/web spec\.replicas: 5 -> 2 \(set live by kubectl-edit/);
    assert.match(flux.stdout, /lose {4}Deployment fluxoff\/web spec\.template\.spec\.containers\[name=web\]\.env\[name=HOTFIX\]: .*added live by kubectl-edit/);
    assert.match(flux.stdout, /nothing was applied \(--dry-run\)/);
    const argo = io();
    assert.equal(await main(['resume', 'paused', '--dry-run', '--repo', repo, '--kubeconfig', cluster.kubeconfigPath, '-o', 'json'], argo), 0, argo.stderr);
    const json = JSON.parse(argo.stdout);
    assert.equal(json.applied, false);
    assert.deepEqual(json.changes.map((c: { change: string; path: string }) => [c.change, c.path]), [['revert', 'spec.replicas']], 'argocd-controller leaves the live-only env var');
    // Nothing was applied: still suspended / paused, the live edits still there after the controllers ran again.
    await controllers.settled();
    assert.equal((await rest.call('GET', `${KS}/fluxoff`)).spec.suspend, true);
    assert.equal((await rest.call('GET', `${APPS}/paused`)).spec.syncPolicy.automated.enabled, false);
    assert.equal((await deployment('fluxoff')).spec.replicas, 5);
    assert.equal((await deployment('paused')).spec.replicas, 5);
  });
});
