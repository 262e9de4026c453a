// Referee (issue 14 items 7-8): the real Flux controllers — source-controller v1.9.5, kustomize-controller v1.9.5 and
// helm-controller v1.6.4, the versions flux2 v2.9.5 ships, built by `npm run tools` — run against the real
// kube-apiserver, with the fixture repository served by `git http-backend` on loopback and a Helm repository
// (index.yaml + chart archive made with the pinned helm) on loopback. Over test/referee/fixtures/flux-repo
// (substitutions from substitute + a ConfigMap + a Secret, a generated kustomization, patches, images, components,
// targetNamespace, namePrefix, commonMetadata) plus fixtures/flux-helm (a HelmRelease of a Git chart with values,
// valuesFrom with a targetPath and a post-renderer, drift detection on; one of a Helm repository chart with a
// post-renderer, drift detection off):
//  1. after the controllers reconcile (Ready, lastAppliedRevision = the pushed commit), our engine says Synced for
//     every object they applied;
//  2. after live edits (kubectl scale/patch/label/delete, and a human field manager), our verdict names exactly those
//     objects; our reconcile action makes the controllers reconcile, and what they revert (and keep) is what our
//     revert forecast said, field by field;
//  3. suspend: a reconcile request is ignored (the controller logs it) and the edit stays; resume: reverted;
//  4. reconcile with source: a new commit is fetched and applied; our engine says Synced again;
//  5. the same for a HelmRelease: suspend / resume, and reconcile with source through its HelmChart.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { requireTool, toolsBinDir } from '../cluster/tools';
import { fluxControllerCrdDir } from '../fluxcontrollers/controllers';
import { fluxRef, reconcileFlux, resumeFlux, suspendFlux, FLUX_REQUESTED_AT } from '../../src/core/control';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import type { AppDrift } from '../../src/core/engine/driftTypes';
import { forecastDiff } from '../../src/core/forecast';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient } from '../../src/core/kube/types';
import type { KubeObject, ObjectRef } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { startFluxControllers, startLoopbackServer, type FluxControllers, type LoopbackServer } from './fluxWorld';

const FIXTURES = path.join(__dirname, 'fixtures');
const APPS = ['web', 'plain', 'podinfo', 'cache'];
const KUSTOMIZATIONS = ['plain', 'web'];
const HELM_RELEASES = ['podinfo', 'cache'];

const ks = (name: string) => fluxRef('Kustomization', 'flux-system', name);
const hr = (name: string) => fluxRef('HelmRelease', 'apps', name);
const objKey = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

function condition(o: KubeObject, type: string): { status?: string; reason?: string; message?: string } | undefined {
  return ((o.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
}

describe('referee: the real Flux controllers vs our verdicts, forecasts and control actions (real kube-apiserver)', function () {
  this.timeout(600_000);
  let tmp: string;
  let ws: string;
  let bare: string;
  let server: LoopbackServer;
  let cluster: RealCluster;
  let controllers: FluxControllers;
  let client: KubeClient;
  let kubectl: string;
  let helm: string;

  const git = (args: string[], cwd = ws) => execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' } }).trim();
  const kube = (args: string[], input?: string) => execFileSync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  const commitAndPush = (message: string): string => {
    git(['add', '-A']);
    git(['commit', '-q', '-m', message]);
    git(['push', '-q', bare, 'main']);
    return git(['rev-parse', 'HEAD']);
  };

  /** Polls the object until `done` says so (the controllers' status is the marker), or fails with its conditions. */
  async function waitFor(ref: ObjectRef, done: (o: KubeObject) => boolean, what: string, timeoutMs = 180_000): Promise<KubeObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await client.get(ref);
      if (done(o)) return o;
      if (Date.now() > deadline) {
        const errors = controllers.logs.filter((l) => l.line.level === 'error').slice(-5).map((l) => `${l.controller}: ${String(l.line.msg)} ${String(l.line.error ?? '')}`);
        throw new Error(`${objKey(ref)}: ${what} not reached: ${JSON.stringify(o.status)}\ncontroller errors: ${errors.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const ready = (o: KubeObject) => condition(o, 'Ready')?.status === 'True';
  const appliedRevision = (sha: string) => (o: KubeObject) => ready(o) && (o.status as { lastAppliedRevision?: string }).lastAppliedRevision === `main@sha1:${sha}`;

  async function snapshot(): Promise<Map<string, AppDrift>> {
    // alice is a person (the gitopsDrift.humanManagers setting): her live-only fields are shown, as kubectl's are.
    const engine = new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: true, humanManagers: ['alice'] });
    const snap = await engine.compute([cluster.contexts.admin]);
    assert.equal(snap.clusters[0].error, undefined);
    const apps = new Map(snap.clusters[0].apps.filter((a) => APPS.includes(a.app.name)).map((a) => [a.app.name, a]));
    assert.deepEqual([...apps.keys()].sort(), [...APPS].sort(), 'every Flux app of the fixture is found');
    for (const a of apps.values()) assert.deepEqual(a.errors.map((e) => e.message), [], `${a.app.name}: errors`);
    return apps;
  }
  const notSynced = (apps: Map<string, AppDrift>) =>
    [...apps.values()].flatMap((a) => a.resources.filter((r) => r.status !== 'Synced').map((r) => `${a.app.name} ${objKey(r.ref)}: ${r.status} ${r.changes.map((c) => `${c.path} (${JSON.stringify(c.desired)} -> ${JSON.stringify(c.live)}, ${c.category}, ${c.manager})`).join(', ')}`)).sort();

  before(async function () {
    kubectl = requireTool('kubectl');
    helm = requireTool('helm');
    for (const c of ['source-controller', 'kustomize-controller', 'helm-controller'] as const) requireTool(c);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-referee-fluxctl-'));
    const gitRoot = path.join(tmp, 'git');
    const charts = path.join(tmp, 'charts');
    fs.mkdirSync(charts, { recursive: true });
    server = await startLoopbackServer(gitRoot, charts);

    // The Helm repository: the chart archive made by the pinned helm, and its index with loopback URLs.
    execFileSync(helm, ['package', path.join(FIXTURES, 'flux-helm', 'helm-repo', 'cache'), '--destination', charts], { encoding: 'utf8', timeout: 60_000 });
    execFileSync(helm, ['repo', 'index', charts, '--url', server.chartsUrl], { encoding: 'utf8', timeout: 60_000 });

    // The workspace (a clone whose origin is the loopback Git server) and the bare repository it serves.
    ws = path.join(tmp, 'ws');
    fs.cpSync(path.join(FIXTURES, 'flux-repo'), ws, { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'flux-helm', 'charts'), path.join(ws, 'charts'), { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'flux-helm', 'clusters'), path.join(ws, 'clusters'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'clusters', 'dev', 'sources.yaml'),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n  url: ${server.gitUrl('flux-repo')}\n  ref:\n    branch: main\n---\n` +
        `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 10m\n  url: ${server.chartsUrl}\n`,
    );
    git(['init', '-q', '-b', 'main', ws], tmp);
    git(['remote', 'add', 'origin', server.gitUrl('flux-repo')]);
    bare = path.join(gitRoot, 'flux-repo.git');
    git(['init', '-q', '--bare', '-b', 'main', bare], tmp);
    const sha = commitAndPush('flux-repo fixture');
    // The server answers smart HTTP before any controller asks (async: the server runs in this process).
    const { stdout } = await promisify(execFile)('git', ['ls-remote', server.gitUrl('flux-repo'), 'refs/heads/main'], { timeout: 30_000 });
    assert.match(stdout, new RegExp(`^${sha}\\s`));

    cluster = await startRealCluster({ crdDir: fluxControllerCrdDir(toolsBinDir()), forwardStderr: false });
    client = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: cluster.contexts.admin });
    for (const ns of ['flux-system', 'web', 'plain', 'apps', 'shop']) kube(['create', 'namespace', ns]);
    // What a root Kustomization would apply from clusters/dev: sources, Kustomizations, HelmReleases, their values.
    kube(['apply', '-f', path.join(ws, 'clusters', 'dev')]);
    controllers = await startFluxControllers({ kubeconfig: cluster.kubeconfigPath, dir: tmp, forwardErrors: !!process.env.GITOPS_DRIFT_VERBOSE });
    for (const name of KUSTOMIZATIONS) await waitFor(ks(name), appliedRevision(sha), `Ready at ${sha}`);
    for (const name of HELM_RELEASES) await waitFor(hr(name), ready, 'Ready');
  });
  after(async () => {
    await controllers?.stop();
    await cluster?.stop();
    await server?.stop();
    if (tmp && !process.env.GITOPS_DRIFT_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('1. after the controllers reconcile, our engine says Synced for every object they applied', async () => {
    const apps = await snapshot();
    assert.deepEqual(notSynced(apps), [], [...apps.values()].flatMap((a) => a.resources.map((r) => objKey(r.ref))).join(' '));
    const counts = Object.fromEntries([...apps].map(([n, a]) => [n, a.resources.length]));
    // web: 2 ConfigMaps, Service, Deployment; plain: a, b, c; each release: ConfigMap, Service, Deployment.
    assert.deepEqual(counts, { web: 4, plain: 3, podinfo: 3, cache: 3 });
    // The controllers applied what we compared: kustomize-controller's and helm-controller's own labels are live.
    const dep = await client.get({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'shop-podinfo' });
    assert.equal(dep.metadata.labels?.['helm.toolkit.fluxcd.io/name'], 'podinfo');
    assert.equal(dep.metadata.annotations?.['rendered-by'], 'flux-post-renderer');
    const web = await client.get({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'dev-web' });
    assert.equal(web.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'], 'web');
  });

  it('2. live edits: our verdict names them; after our reconcile action the controllers revert exactly what our forecast said', async () => {
    kube(['-n', 'web', 'scale', 'deployment/dev-web', '--replicas=5']);
    kube(['-n', 'web', 'label', 'deployment/dev-web', 'oncall=alice', '--field-manager=alice']);
    kube(['-n', 'web', 'patch', 'configmap', 'dev-settings', '--type=merge', '--field-manager=alice', '-p', '{"data":{"greeting":"edited by alice"}}']);
    kube(['-n', 'plain', 'label', 'configmap', 'a', 'extra=by-kubectl']);
    kube(['-n', 'plain', 'delete', 'configmap', 'b']);
    kube(['-n', 'shop', 'scale', 'deployment/shop-podinfo', '--replicas=4']);
    kube(['-n', 'apps', 'patch', 'configmap', 'cache-settings', '--type=merge', '-p', '{"data":{"level":"error"}}']);

    const before = await snapshot();
    const drifted = notSynced(before).map((l) => l.split(':')[0]);
    assert.deepEqual(drifted, [
      'cache ConfigMap/apps/cache-settings',
      'plain ConfigMap/plain/a',
      'plain ConfigMap/plain/b',
      'podinfo Deployment/shop/shop-podinfo',
      'web ConfigMap/web/dev-settings',
      'web Deployment/web/dev-web',
    ]);
    // The forecast per field (or per object when it is missing): reverted at the next reconcile, or kept.
    const expected = new Map<string, boolean>();
    for (const a of before.values()) {
      for (const r of a.resources.filter((x) => x.status !== 'Synced')) {
        const f = forecastDiff(a, r);
        if (f.resource) expected.set(`${objKey(r.ref)}`, f.resource.when === 'next-reconcile' || f.resource.when === 'pruned');
        r.changes.forEach((c, i) => expected.set(`${objKey(r.ref)} ${c.path}`, f.changes[i].when === 'next-reconcile'));
      }
    }

    for (const name of KUSTOMIZATIONS) {
      const out = await reconcileFlux(client, ks(name), { timeoutMs: 120_000, pollMs: 300 });
      assert.equal(out.ready, true, `${name}: ${out.message}`);
    }
    for (const name of HELM_RELEASES) {
      const out = await reconcileFlux(client, hr(name), { timeoutMs: 120_000, pollMs: 300 });
      assert.equal(out.ready, true, `${name}: ${out.message}`);
    }

    const after = await snapshot();
    const stillThere = new Set<string>();
    for (const a of after.values()) {
      for (const r of a.resources.filter((x) => x.status !== 'Synced')) {
        if (r.status === 'MissingLive') stillThere.add(objKey(r.ref));
        for (const c of r.changes) stillThere.add(`${objKey(r.ref)} ${c.path}`);
      }
    }
    const actual = new Map([...expected.keys()].map((k) => [k, !stillThere.has(k)]));
    assert.deepEqual([...actual].sort(), [...expected].sort(), 'reverted (true) / kept (false), per field: the controllers vs our forecast');
    // Nothing new drifted, and the forecast was not trivially all-or-nothing: both kinds happened.
    assert.deepEqual([...stillThere].filter((k) => !expected.has(k)), []);
    // What the controllers did, spelled out: kustomize-controller forces its fields back (also from a human manager),
    // removes what kubectl* managers added, recreates the deleted object and keeps another manager's extra label;
    // helm-controller corrects drift only where drift detection is on.
    assert.deepEqual([...actual].sort(), [
      ['ConfigMap/apps/cache-settings data.level', false],
      ['ConfigMap/plain/a metadata.labels.extra', true],
      ['ConfigMap/plain/b', true],
      ['ConfigMap/web/dev-settings data.greeting', true],
      ['Deployment/shop/shop-podinfo spec.replicas', true],
      ['Deployment/web/dev-web metadata.labels.oncall', false],
      ['Deployment/web/dev-web spec.replicas', true],
    ]);
  });

  it('3. suspend: a reconcile request is ignored and the edit is kept; resume: kustomize-controller reverts it', async () => {
    await suspendFlux(client, ks('web'));
    kube(['-n', 'web', 'scale', 'deployment/dev-web', '--replicas=3']);
    await assert.rejects(reconcileFlux(client, ks('web')), /suspended/);
    // A request the way `flux reconcile` would make it if it did not refuse: the controller logs that it is suspended.
    const since = controllers.logs.length;
    await client.patch(ks('web'), { metadata: { annotations: { [FLUX_REQUESTED_AT]: new Date().toISOString() } } }, { type: 'merge', fieldManager: 'referee' });
    await controllers.waitForLog((c, l) => c === 'kustomize-controller' && /suspended/i.test(String(l.msg)) && (l as { Kustomization?: { name?: string } }).Kustomization?.name === 'web', 60_000, since);
    let dep = (await snapshot()).get('web')!.resources.find((r) => r.ref.kind === 'Deployment')!;
    // (alice's label from test 2 stays: kustomize-controller never removes another manager's field.)
    assert.equal(dep.status, 'Modified');
    assert.deepEqual(dep.changes.map((c) => [c.path, c.live]), [['spec.replicas', 3], ['metadata.labels.oncall', 'alice']]);

    const out = await resumeFlux(client, ks('web'), { timeoutMs: 120_000, pollMs: 300 });
    assert.equal(out.ready, true, out.message);
    dep = (await snapshot()).get('web')!.resources.find((r) => r.ref.kind === 'Deployment')!;
    assert.deepEqual(dep.changes.map((c) => [c.path, c.live]), [['metadata.labels.oncall', 'alice']]);
  });

  it('4. reconcile with source: a pushed commit is fetched by source-controller and applied once the dependency has it; our engine says Synced again', async () => {
    // web dependsOn plain. plain is suspended first, so it cannot apply the new revision on its own when
    // source-controller's new artifact wakes it up: kustomize-controller holds web back, and our action reports it
    // (what `flux reconcile ks web --with-source` does too).
    await suspendFlux(client, ks('plain'));
    const settings = path.join(ws, 'apps', 'web', 'base', 'settings.yaml');
    fs.writeFileSync(settings, fs.readFileSync(settings, 'utf8').replace('hello from', 'hi from'));
    const sha = commitAndPush('web: new greeting');
    // Git is ahead of the cluster: our engine says so before Flux applies it.
    const pending = (await snapshot()).get('web')!.resources.find((r) => r.ref.name === 'dev-settings')!;
    assert.equal(pending.status, 'Modified');
    const held = await reconcileFlux(client, ks('web'), { withSource: true, timeoutMs: 120_000, pollMs: 300 });
    assert.equal(held.source?.ready, true);
    assert.equal(held.source?.revision, `main@sha1:${sha}`);
    assert.equal(held.ready, false);
    assert.match(held.message ?? '', /dependency 'flux-system\/plain' revision is not up to date/);
    assert.equal((await snapshot()).get('web')!.resources.find((r) => r.ref.name === 'dev-settings')!.status, 'Modified');
    const plain = await resumeFlux(client, ks('plain'), { timeoutMs: 120_000, pollMs: 300 });
    assert.equal(plain.revision, `main@sha1:${sha}`);
    const out = await reconcileFlux(client, ks('web'), { timeoutMs: 120_000, pollMs: 300 });
    assert.equal(out.ready, true, out.message);
    assert.equal(out.revision, `main@sha1:${sha}`);
    // Everything Synced but what the controllers keep (as test 2 forecast and saw).
    assert.deepEqual(notSynced(await snapshot()), [
      'cache ConfigMap/apps/cache-settings: Modified data.level ("warn" -> "error", modified, kubectl-patch)',
      'web Deployment/web/dev-web: Modified metadata.labels.oncall (undefined -> "alice", live-only, alice)',
    ]);
  });
  it('5. HelmRelease: suspended, a reconcile request is ignored and the drift kept; resumed, helm-controller corrects it; reconcile with source goes HelmChart → GitRepository and upgrades', async () => {
    const podinfoDep = async () => (await snapshot()).get('podinfo')!.resources.find((r) => r.ref.kind === 'Deployment')!;
    await suspendFlux(client, hr('podinfo'));
    kube(['-n', 'shop', 'scale', 'deployment/shop-podinfo', '--replicas=6']);
    const since = controllers.logs.length;
    await client.patch(hr('podinfo'), { metadata: { annotations: { [FLUX_REQUESTED_AT]: new Date().toISOString() } } }, { type: 'merge', fieldManager: 'referee' });
    await controllers.waitForLog((c, l) => c === 'helm-controller' && /suspended/i.test(String(l.msg)) && (l as { HelmRelease?: { name?: string } }).HelmRelease?.name === 'podinfo', 60_000, since);
    assert.deepEqual((await podinfoDep()).changes.map((c) => [c.path, c.live]), [['spec.replicas', 6]]);
    const resumed = await resumeFlux(client, hr('podinfo'), { timeoutMs: 120_000, pollMs: 300 });
    assert.equal(resumed.ready, true, resumed.message);
    assert.equal((await podinfoDep()).status, 'Synced');

    // A new chart version in Git: our engine renders it at once (Git ahead of the cluster); helm-controller upgrades
    // after source-controller has packaged it, which our reconcile-with-source asks for (HelmChart, then its GitRepository).
    const chartDir = path.join(ws, 'charts', 'podinfo-lite');
    fs.writeFileSync(path.join(chartDir, 'Chart.yaml'), fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8').replace('version: 0.2.0', 'version: 0.2.1'));
    fs.writeFileSync(path.join(chartDir, 'values.yaml'), fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8').replace('ghcr.io/stefanprodan/podinfo', 'registry.example.com/podinfo'));
    const sha = commitAndPush('podinfo-lite 0.2.1: image from the mirror');
    assert.equal((await podinfoDep()).status, 'Modified');
    const out = await reconcileFlux(client, hr('podinfo'), { withSource: true, timeoutMs: 120_000, pollMs: 300 });
    assert.equal(out.ready, true, out.message);
    assert.equal(out.source?.ready, true);
    const gitRepo = await client.get(fluxRef('GitRepository', 'flux-system', 'flux-system'));
    assert.equal((gitRepo.status as { artifact?: { revision?: string } }).artifact?.revision, `main@sha1:${sha}`);
    assert.equal(out.revision, '0.2.1');
    assert.equal((await podinfoDep()).status, 'Synced');
  });
});
