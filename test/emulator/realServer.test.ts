// What only the real kube-apiserver can show: RBAC (a user limited to two namespaces, a read-only user) and a
// watch resumed from a resourceVersion that etcd has compacted away (a real 410 Gone). KUBE_BACKEND=real only.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { watchLiveState } from '../../src/core/engine/liveWatch';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import type { KubeClient, WatchEvent } from '../../src/core/kube/types';
import { applyLiveEdit } from '../../src/core/control';
import { isGitOpsError, type KubeObject } from '../../src/core/model';
import { nodeProcessRunner } from '../../src/core/ports';
import { parseManifests } from '../../src/core/yaml/parseManifests';
import { kubeBackend, startTestCluster, type TestCluster } from '../backend/testCluster';
import { toolPath } from '../cluster/tools';
import { startRealCluster, type RealCluster } from '../cluster/realCluster';
import { startDemoWorld, type DemoWorld } from './demo/start-demo-world';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const CRD_DIR = path.join(__dirname, 'demo', 'crds');
const SKIP_REASON = 'needs the real kube-apiserver (RBAC, etcd compaction): run with KUBE_BACKEND=real after `npm run tools`';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '' });

function skipUnlessReal(ctx: Mocha.Context): void {
  if (kubeBackend() !== 'real') {
    // Mocha's skip() takes no message: say why once, where the run is read.
    if (!(globalThis as { realServerSkipSaid?: boolean }).realServerSkipSaid) process.stderr.write(`  realServer.test.ts skipped: ${SKIP_REASON}\n`);
    (globalThis as { realServerSkipSaid?: boolean }).realServerSkipSaid = true;
    ctx.skip();
  }
}

function kubectl(kubeconfig: string, context: string, args: string[]): string {
  return execFileSync(toolPath('kubectl'), ['--kubeconfig', kubeconfig, '--context', context, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KubeObject;
}

/** Resolves with the first event `pick` accepts, among those recorded so far and those still to come. */
class Events {
  private readonly seen: Array<{ scope: string; ev: WatchEvent }> = [];
  private readonly waiters: Array<{ pick: (scope: string, ev: WatchEvent) => boolean; resolve: () => void }> = [];
  readonly errors: Array<{ scope: string; error: Error; willRetry: boolean }> = [];
  private readonly errorWaiters: Array<() => void> = [];
  push(scope: string, ev: WatchEvent): void {
    this.seen.push({ scope, ev });
    for (const w of [...this.waiters]) {
      if (w.pick(scope, ev)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
  error(scope: string, error: Error, willRetry: boolean): void {
    this.errors.push({ scope, error, willRetry });
    for (const w of this.errorWaiters.splice(0)) w();
  }
  count(pick: (scope: string, ev: WatchEvent) => boolean): number {
    return this.seen.filter((x) => pick(x.scope, x.ev)).length;
  }
  /** Waits for the n-th matching event (counting those already seen). */
  wait(what: string, pick: (scope: string, ev: WatchEvent) => boolean, n = 1, timeoutMs = 60_000): Promise<void> {
    let left = n - this.count(pick);
    if (left <= 0) return Promise.resolve();
    return withTimeout(what, timeoutMs, new Promise<void>((resolve) => {
      const waiter = { pick, resolve: () => (--left <= 0 ? resolve() : this.waiters.push(waiter)) };
      this.waiters.push(waiter);
    }));
  }
  nextError(what: string, timeoutMs = 60_000): Promise<void> {
    return withTimeout(what, timeoutMs, new Promise<void>((resolve) => this.errorWaiters.push(resolve)));
  }
}

function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]).finally(() => clearTimeout(t));
}

const scopeName = (s: { group: string; kind: string; namespace?: string }) => `${s.group}/${s.kind}/${s.namespace ?? '*'}`;

describe('real kube-apiserver: RBAC-limited users and 410 Gone', function () {
  this.timeout(240_000);

  describe('a user whose Role covers only team-a and team-b (ns-user)', () => {
    let cluster: TestCluster;
    let ws: string;
    let kc: string;
    const REPO_URL = 'https://git.example.com/platform/team-apps.git';

    before(async function () {
      skipUnlessReal(this);
      cluster = await startTestCluster({ backend: 'real' });
      kc = cluster.kubeconfigPath;
      // The Application CRD through seed(), which waits until it is served.
      const crdFile = path.join(CRD_DIR, 'argocd-application-crd.yaml');
      await cluster.seed(parseManifests(fs.readFileSync(crdFile, 'utf8'), crdFile).docs.map((d) => d.object));
      ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-real-rbac-'));
      execFileSync('git', ['init', '-q', '-b', 'main', ws]);
      execFileSync('git', ['-C', ws, 'remote', 'add', 'origin', REPO_URL]);
      // Plain manifest folders, one per namespace, and an Argo CD Application (in argocd, which ns-user cannot
      // read) that deploys into team-a.
      write(path.join(ws, 'apps/team-a/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-a\n  namespace: team-a\ndata:\n  color: blue\n');
      write(path.join(ws, 'apps/team-b/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-b\n  namespace: team-b\ndata:\n  color: green\n');
      write(path.join(ws, 'apps/ops/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-ops\n  namespace: ops\ndata:\n  color: red\n');
      write(path.join(ws, 'extra/team-a/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-a\ndata:\n  size: small\n');
      const application = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'team-a-extra', namespace: 'argocd' },
        spec: { project: 'default', source: { repoURL: REPO_URL, targetRevision: 'main', path: 'extra/team-a' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'team-a' } },
      };
      write(path.join(ws, 'argo/team-a-extra.yaml'), JSON.stringify(application, null, 2) + '\n');
      await cluster.seed([
        configMap('team-a', 'settings-a', { color: 'blue' }),
        configMap('team-b', 'settings-b', { color: 'green' }),
        configMap('ops', 'settings-ops', { color: 'red' }),
        { ...configMap('team-a', 'extra-a', { size: 'small' }), metadata: { name: 'extra-a', namespace: 'team-a', annotations: { 'argocd.argoproj.io/tracking-id': 'team-a-extra:/ConfigMap:team-a/extra-a' } } } as KubeObject,
        { ...application, status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } } as unknown as KubeObject,
      ]);
    });
    after(async () => {
      await cluster?.stop();
      if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('the workspace is in sync for admin (so what ns-user misses is RBAC, not drift)', async () => {
      const o = io();
      const code = await main(['diff', '--repo', ws, '--kubeconfig', kc, '--context', cluster.contexts!.admin, '-o', 'json'], o);
      const report = JSON.parse(o.stdout) as JsonReport;
      assert.deepEqual(report.resources.map((r) => `${r.namespace}/${r.name}=${r.status}`).sort(), ['ops/settings-ops=Synced', 'team-a/extra-a=Synced', 'team-a/settings-a=Synced', 'team-b/settings-b=Synced']);
      assert.equal(code, 0, o.stderr);
    });

    it('diffs what it may read, reports the rest as forbidden by name, and exits 2', async () => {
      const o = io();
      const code = await main(['diff', '--repo', ws, '--kubeconfig', kc, '--context', cluster.contexts!.nsUser, '-o', 'json'], o);
      const report = JSON.parse(o.stdout) as JsonReport;
      const by = new Map(report.resources.map((r) => [`${r.namespace}/${r.name}`, r]));
      assert.equal(by.get('team-a/settings-a')?.status, 'Synced');
      assert.equal(by.get('team-b/settings-b')?.status, 'Synced');
      // The Application object is unreadable, its objects in team-a are not: diffed, with the app's error.
      assert.equal(by.get('team-a/extra-a')?.status, 'Synced');
      // Not "in sync", not "not deployed here", not left out: Unknown, saying what was refused.
      const ops = by.get('ops/settings-ops');
      assert.ok(ops, `the ops app is reported: ${JSON.stringify(report.resources.map((r) => r.name))}`);
      assert.equal(ops.status, 'Unknown');
      assert.match(ops.reason ?? '', /Forbidden: you may not (get|list) configmaps( "settings-ops")? in namespace "ops"/);
      const appError = report.errors?.find((e) => e.app === 'team-a-extra');
      assert.ok(appError, `the unreadable Application is an error: ${JSON.stringify(report.errors)}`);
      assert.equal(appError.reason, 'forbidden');
      assert.match(appError.message, /Application argocd\/team-a-extra.*applications\.argoproj\.io/);
      assert.equal(report.summary.unknown, 1);
      assert.equal(code, 2);

      const text = io();
      assert.equal(await main(['diff', '--repo', ws, '--kubeconfig', kc, '--context', cluster.contexts!.nsUser], text), 2);
      assert.match(text.stdout, /Unknown +ConfigMap\/ops\/settings-ops .*Forbidden/);
      assert.match(text.stdout, /error .*team-a-extra: cannot read Application argocd\/team-a-extra/);
      assert.match(text.stdout, /1 unknown/);
    });

    it('lists per namespace and watches per namespace, so a change in team-a arrives as an event', async () => {
      const ctx = cluster.contexts!.nsUser;
      const client = createKubeClient({ kubeconfig: kc, context: ctx });
      const lists: string[] = [];
      const counting = Object.create(client) as KubeClient;
      counting.list = (t, o) => {
        lists.push(`${t.kind}/${o?.namespace ?? '*'}`);
        return client.list(t, o);
      };
      const engine = new DriftEngine({ roots: [ws], clientFor: () => counting, runner: nodeProcessRunner, trusted: true });
      const status = (snap: Awaited<ReturnType<DriftEngine['compute']>>, name: string) => snap.clusters[0].apps.flatMap((a) => a.resources).find((r) => r.ref.name === name)?.status;
      const first = await engine.compute([ctx]);
      assert.equal(first.clusters[0].error, undefined);
      assert.equal(status(first, 'settings-a'), 'Synced');
      assert.ok(lists.includes('ConfigMap/team-a') && lists.includes('ConfigMap/team-b'), lists.join(', '));

      const scopes = engine.watchTypes(ctx);
      const cms = scopes.filter((s) => s.kind === 'ConfigMap').map(scopeName).sort();
      assert.deepEqual(cms, ['/ConfigMap/team-a', '/ConfigMap/team-b'], 'ConfigMaps are watched where they could be listed, not cluster-wide');
      assert.ok(!scopes.some((s) => !s.namespace), `no cluster-wide watch for a namespace-limited user: ${scopes.map(scopeName).join(', ')}`);

      const events = new Events();
      let changes = 0;
      const watching = watchLiveState(engine, ctx, client, {
        onChange: () => changes++,
        onEvent: (s, ev) => events.push(scopeName(s), ev),
        onError: (s, e, willRetry) => events.error(scopeName(s), e, willRetry),
      });
      try {
        for (const s of scopes) await events.wait(`the first list of ${scopeName(s)}`, (sc, ev) => sc === scopeName(s) && ev.type === 'SYNC');
        assert.deepEqual(events.errors.map((e) => `${e.scope}: ${e.error.message}`), []);
        kubectl(kc, cluster.contexts!.admin, ['-n', 'team-a', 'patch', 'configmap', 'settings-a', '--type', 'merge', '-p', '{"data":{"color":"purple"}}']);
        await events.wait('the MODIFIED event of settings-a', (sc, ev) => sc === '/ConfigMap/team-a' && ev.type === 'MODIFIED' && ev.object.metadata.name === 'settings-a');
        assert.ok(changes > 0);
        const after = await engine.compute([ctx], { reuseLive: true });
        const r = after.clusters[0].apps.flatMap((a) => a.resources).find((x) => x.ref.name === 'settings-a')!;
        assert.equal(r.status, 'Modified');
        assert.deepEqual(r.changes.map((c) => [c.path, c.desired, c.live]), [['data.color', 'blue', 'purple']]);
        assert.equal(status(after, 'settings-b'), 'Synced', 'team-b is untouched by the team-a SYNC/relist');
        assert.equal(status(after, 'settings-ops'), 'Unknown');
        assert.deepEqual(events.errors.map((e) => `${e.scope}: ${e.error.message}`), []);
      } finally {
        watching.dispose();
      }
    });
  });

  describe('a read-only user (viewer) on the demo world', () => {
    let world: DemoWorld;
    let kc: string;
    const VIEWER = 'viewer';

    before(async function () {
      skipUnlessReal(this);
      world = await startDemoWorld({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'gd-real-viewer-')), timing: 'fast', backend: 'real' });
      kc = world.kubeconfigPath;
    });
    after(async () => {
      await world?.stop();
    });

    it('diffs with the same verdicts as admin, except Secrets, which it may not read: Unknown (forbidden), exit 2', async () => {
      const asAdmin = io();
      await main(['diff', '--repo', world.repoDir, '--kubeconfig', kc, '-o', 'json'], asAdmin);
      const asViewer = io();
      const viewerCode = await main(['diff', '--repo', world.repoDir, '--kubeconfig', kc, '--context', VIEWER, '-o', 'json'], asViewer);
      const admin = JSON.parse(asAdmin.stdout) as JsonReport;
      const viewer = JSON.parse(asViewer.stdout) as JsonReport;
      const verdicts = (r: JsonReport, secrets: boolean) => r.resources.filter((x) => (x.kind === 'Secret') === secrets).map((x) => `${x.kind}/${x.namespace}/${x.name}=${x.status}`).sort();
      assert.deepEqual(verdicts(viewer, false), verdicts(admin, false));
      const secrets = viewer.resources.filter((x) => x.kind === 'Secret');
      assert.ok(secrets.length > 0, 'the demo world renders a Secret');
      for (const s of secrets) {
        assert.equal(s.status, 'Unknown', `${s.namespace}/${s.name}`);
        assert.match(s.reason ?? '', new RegExp(`Forbidden: you may not (get|list) secrets( "${s.name}")? in namespace "${s.namespace}"`));
      }
      assert.equal(viewer.summary.unknown, secrets.length);
      assert.equal(viewerCode, 2, 'something could not be compared');
    });

    it('every control action is refused as forbidden, naming the verb and the object, and nothing changes', async () => {
      const admin = createKubeClient({ kubeconfig: kc, context: world.contextName });
      const apps = (await admin.list({ group: 'argoproj.io', kind: 'Application' })).items;
      // The demo's only Kustomization is suspended: add a running one (its source does not exist, so the simulated
      // kustomize-controller applies nothing).
      const probe = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'viewer-probe', namespace: 'flux-system' }, spec: { interval: '10m', path: './nothing', prune: false, sourceRef: { kind: 'GitRepository', name: 'no-such-source' } } } as unknown as KubeObject;
      await admin.patch({ group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', namespace: 'flux-system', name: 'viewer-probe' }, probe, { type: 'apply', fieldManager: 'test-seed', force: true });
      const ks = (await admin.list({ group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' })).items;
      const autoSynced = apps.find((a) => (a.spec as any)?.syncPolicy?.automated && (a.spec as any).syncPolicy.automated.enabled !== false && !(a.metadata.ownerReferences as unknown[] | undefined)?.length)!;
      const paused = apps.find((a) => a.metadata.name === 'podinfo-production')!;
      const running = ks.find((k) => !(k.spec as any)?.suspend)!;
      const suspended = ks.find((k) => (k.spec as any)?.suspend === true)!;
      assert.ok(autoSynced && paused && running && suspended, `the demo world has the objects this test controls: ${JSON.stringify({ apps: apps.map((a) => [a.metadata.name, (a.spec as any)?.syncPolicy?.automated ?? null]), ks: ks.map((k) => [k.metadata.name, (k.spec as any)?.suspend ?? false]) })}`);
      const watched = [autoSynced, paused, running, suspended];
      // What an action would change: spec, annotations, a pending operation. (Controllers keep updating status.)
      const state = async () => Promise.all(watched.map(async (o) => {
        const cur = await admin.get({ group: o.apiVersion.split('/')[0], kind: o.kind, namespace: o.metadata.namespace!, name: o.metadata.name! });
        return JSON.stringify({ spec: cur.spec, annotations: cur.metadata.annotations ?? {}, labels: cur.metadata.labels ?? {}, operation: (cur as any).operation ?? null });
      }));
      const before = await state();

      const app = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
      const cases: Array<{ argv: string[]; resource: RegExp }> = [
        { argv: ['sync', app(autoSynced), '--no-wait'], resource: /patch applications\.argoproj\.io "[^"]+" in namespace "argocd"/ },
        { argv: ['refresh', app(autoSynced), '--no-wait'], resource: /patch applications\.argoproj\.io "[^"]+" in namespace "argocd"/ },
        { argv: ['pause', app(autoSynced), '--yes'], resource: /patch applications\.argoproj\.io "[^"]+" in namespace "argocd"/ },
        { argv: ['resume', app(paused)], resource: /patch applications\.argoproj\.io "podinfo-production" in namespace "argocd"/ },
        { argv: ['suspend', app(running), '--yes'], resource: /patch kustomizations\.kustomize\.toolkit\.fluxcd\.io "[^"]+" in namespace "[^"]+"/ },
        { argv: ['resume', app(suspended), '--no-wait'], resource: /patch kustomizations\.kustomize\.toolkit\.fluxcd\.io "[^"]+" in namespace "[^"]+"/ },
        { argv: ['reconcile', app(running), '--no-wait'], resource: /patch kustomizations\.kustomize\.toolkit\.fluxcd\.io "[^"]+" in namespace "[^"]+"/ },
        { argv: ['breakglass', 'start', app(autoSynced), '--reason', 'viewer tries', '--yes'], resource: /patch applications\.argoproj\.io "[^"]+" in namespace "argocd"/ },
        { argv: ['breakglass', 'start', app(running), '--reason', 'viewer tries', '--yes'], resource: /patch kustomizations\.kustomize\.toolkit\.fluxcd\.io "[^"]+"/ },
      ];
      for (const c of cases) {
        const o = io();
        const code = await main([...c.argv, '--kubeconfig', kc, '--context', VIEWER], o);
        assert.equal(code, 2, `${c.argv.join(' ')}: exit ${code}, stdout ${o.stdout}, stderr ${o.stderr}`);
        assert.match(o.stderr, /Forbidden: you may not /, c.argv.join(' '));
        assert.match(o.stderr, c.resource, c.argv.join(' '));
        assert.match(o.stderr, /User "viewer" cannot patch/, c.argv.join(' '));
        assert.match(o.stderr, /\(forbidden\)\n$/, c.argv.join(' '));
        assert.equal(o.stdout, '', `${c.argv.join(' ')} printed no success`);
      }

      // A live edit (the editor's save during a breakglass) as the viewer.
      const deploy = (await admin.list({ group: 'apps', kind: 'Deployment' }, { namespace: world.scenarios.breakglass.namespace })).items.find((d) => d.metadata.name === world.scenarios.breakglass.deployment)!;
      const viewer = createKubeClient({ kubeconfig: kc, context: VIEWER });
      const edited = structuredClone(deploy);
      (edited.spec as any).replicas = 7;
      await assert.rejects(applyLiveEdit(viewer, edited, { resourceVersion: deploy.metadata.resourceVersion as string }), (e: unknown) => {
        assert.ok(isGitOpsError(e), String(e));
        assert.equal(e.reason, 'forbidden');
        assert.match(e.message, new RegExp(`Forbidden: you may not patch deployments\\.apps "${deploy.metadata.name}" in namespace "${deploy.metadata.namespace}"`));
        return true;
      });

      assert.deepEqual(await state(), before, 'the viewer changed nothing');
      const after = await admin.get({ group: 'apps', kind: 'Deployment', namespace: deploy.metadata.namespace!, name: deploy.metadata.name! });
      assert.deepEqual(after.spec, deploy.spec, 'the Deployment is as it was');
      assert.ok(!after.metadata.managedFields?.some((m) => m.manager === 'gitops-drift-breakglass'), 'no field manager of ours on it');
    });
  });

  describe('a watch resumed from a compacted resourceVersion (410 Gone)', () => {
    let server: RealCluster | undefined;
    let proxy: Proxy | undefined;
    let ws: string;

    before(async function () {
      skipUnlessReal(this);
      // No watch cache (watches read etcd itself) and compaction every second: a resourceVersion a few seconds old
      // is gone, as one hours old is in a production cluster.
      server = await startRealCluster({ apiserverArgs: ['--watch-cache=false', '--etcd-compaction-interval=1s'] });
      proxy = await startProxy(new URL(server.server));
      ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-real-gone-'));
      write(path.join(ws, 'apps/gone/cms.yaml'), ['cm-1', 'cm-2', 'cm-3'].map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  namespace: team-a\ndata:\n  v: "1"\n`).join('---\n'));
      const admin = createKubeClient({ kubeconfig: server.kubeconfigPath, context: server.contexts.admin });
      for (const n of ['cm-1', 'cm-2', 'cm-3']) await admin.patch({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: n }, configMap('team-a', n, { v: '1' }), { type: 'apply', fieldManager: 'test-seed', force: true });
    });
    after(async () => {
      await proxy?.close();
      await server?.stop();
      if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('relists on the real 410 and ends with the current state (a change and a deletion made while away)', async () => {
      const kc = server!.kubeconfigPath;
      // The engine talks through a proxy that the test can cut, as a network outage would.
      const proxied = path.join(ws, 'kubeconfig-proxied');
      fs.writeFileSync(proxied, fs.readFileSync(kc, 'utf8').replace(server!.server, `https://127.0.0.1:${proxy!.port}`), { mode: 0o600 });
      const client = createKubeClient({ kubeconfig: proxied, context: 'admin' });
      const engine = new DriftEngine({ roots: [ws], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
      const statuses = (snap: Awaited<ReturnType<DriftEngine['compute']>>) => Object.fromEntries(snap.clusters[0].apps.flatMap((a) => a.resources).map((r) => [r.ref.name, r.status]));
      assert.deepEqual(statuses(await engine.compute(['admin'])), { 'cm-1': 'Synced', 'cm-2': 'Synced', 'cm-3': 'Synced' });
      const scopes = engine.watchTypes('admin');
      assert.deepEqual(scopes.map(scopeName), ['/ConfigMap/team-a']);

      const events = new Events();
      const watching = watchLiveState(engine, 'admin', client, {
        onChange: () => {},
        onEvent: (s, ev) => events.push(scopeName(s), ev),
        onError: (s, e, willRetry) => events.error(scopeName(s), e, willRetry),
      });
      try {
        const isSync = (_: string, ev: WatchEvent) => ev.type === 'SYNC';
        await events.wait('the first list', isSync);
        // One event through the watch, so it holds a resourceVersion of its own to resume from.
        const direct = createKubeClient({ kubeconfig: kc, context: 'admin' });
        const cm3 = await direct.patch({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'cm-3' }, configMap('team-a', 'cm-3', { v: '9' }), { type: 'apply', fieldManager: 'test-seed', force: true });
        await events.wait('the MODIFIED event of cm-3', (_, ev) => ev.type === 'MODIFIED' && ev.object.metadata.name === 'cm-3');
        const heldRv = cm3.metadata.resourceVersion as string;

        // The network goes away: the watch fails and keeps retrying from heldRv.
        const failed = events.nextError('the watch to notice the outage');
        proxy!.cut();
        await failed;
        assert.ok(events.errors.every((e) => e.willRetry), 'an outage is retried');

        // Meanwhile: a change, a deletion, and enough time for etcd to compact heldRv away.
        kubectl(kc, 'admin', ['-n', 'team-a', 'patch', 'configmap', 'cm-1', '--type', 'merge', '-p', '{"data":{"v":"2"}}']);
        kubectl(kc, 'admin', ['-n', 'team-a', 'delete', 'configmap', 'cm-2']);
        await waitUntilGone(server!, heldRv, () => kubectl(kc, 'admin', ['-n', 'default', 'create', 'configmap', `churn-${Date.now()}`]));
        const syncsBefore = events.count(isSync);
        proxy!.restore();

        // The watch resumes from heldRv, the server answers 410, the loop relists: a second SYNC.
        await events.wait('the relist after 410 Gone', isSync, syncsBefore + 1, 90_000);
        const after = statuses(await engine.compute(['admin'], { reuseLive: true }));
        assert.deepEqual(after, { 'cm-1': 'Modified', 'cm-2': 'MissingLive', 'cm-3': 'Modified' });
        assert.ok(events.errors.every((e) => e.willRetry), `no watch gave up: ${events.errors.map((e) => e.error.message).join('; ')}`);
        // The watch is live again after the relist.
        kubectl(kc, 'admin', ['-n', 'team-a', 'patch', 'configmap', 'cm-3', '--type', 'merge', '-p', '{"data":{"v":"1"}}']);
        await events.wait('an event after the relist', (_, ev) => ev.type === 'MODIFIED' && ev.object.metadata.name === 'cm-3' && (ev.object.data as Record<string, string>)?.v === '1');
        assert.equal(statuses(await engine.compute(['admin'], { reuseLive: true }))['cm-3'], 'Synced');
      } finally {
        watching.dispose();
      }
    });
  });
});

// --- helpers for the 410 suite: an apiserver with extra flags, a cuttable TCP proxy, a raw watch probe

interface Proxy {
  port: number;
  /** Drops every connection and refuses new ones (by resetting them). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

function startProxy(target: URL): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const srv = net.createServer((client) => {
    if (down) return client.resetAndDestroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        cut() {
          down = true;
          for (const s of sockets) s.resetAndDestroy();
        },
        restore() {
          down = false;
        },
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise<void>((r) => srv.close(() => r()));
        },
      }),
    ),
  );
}

/** Until a raw watch from `rv` gets 410 Gone from the server itself (`churn` adds revisions meanwhile). */
async function waitUntilGone(server: RealCluster, rv: string, churn: () => void): Promise<void> {
  const cfg = parseYaml(fs.readFileSync(server.kubeconfigPath, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[]; users: { name: string; user: { token: string } }[] };
  const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64');
  const token = cfg.users.find((u) => u.name === 'admin')!.user.token;
  const deadline = Date.now() + 60_000;
  for (;;) {
    churn();
    const answer = await new Promise<string>((resolve, reject) => {
      const req = https.get(`${server.server}/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', reject);
    });
    // Either an HTTP 410 or (the usual answer from etcd) a 200 whose first event is an ERROR with code 410.
    if (/^410 |"type":"ERROR".*"code":410/.test(answer)) return;
    if (Date.now() > deadline) throw new Error(`resourceVersion ${rv} was not compacted within 60 s (last answer ${answer.slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
