// The drift engine and the CLI end to end, against the demo world (emulator + simulated Argo CD and Flux).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/cli';
import type { JsonReport, JsonResource } from '../../src/cli/output';
import { startDemoWorld, type DemoWorld } from './demo/start-demo-world';
import { DriftEngine } from '../../src/core/engine/driftEngine';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { nodeProcessRunner } from '../../src/core/ports';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '' });

describe('drift engine on the demo world (CLI)', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  let report: JsonReport;
  let exitCode: number;

  const find = (kind: string, namespace: string, name: string): JsonResource => {
    const r = report.resources.find((x) => x.kind === kind && x.namespace === namespace && x.name === name);
    assert.ok(r, `${kind} ${namespace}/${name} is reported`);
    return r;
  };

  before(async () => {
    world = await startDemoWorld({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'gd-engine-')), timing: 'fast' });
    const o = io();
    exitCode = await main(['diff', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '-o', 'json'], o);
    report = JSON.parse(o.stdout);
  });
  after(async () => {
    await world?.stop();
  });

  it('exits 1 because drift exists, and summarizes it', () => {
    assert.equal(exitCode, 1);
    assert.ok(report.summary.synced >= 10, `synced ${report.summary.synced}`);
    assert.equal(report.summary.missingLive, 1);
    assert.equal(report.summary.extraLive, 1);
    assert.equal(report.summary.unknown, 0);
  });

  it('attributes the breakglass edit to kubectl-edit, with the live-only env var', () => {
    const s = world.scenarios.breakglass;
    const d = find('Deployment', s.namespace, s.deployment);
    assert.equal(d.status, 'Modified');
    assert.equal(d.app, s.app);
    const replicas = d.changes.find((c) => c.path === 'spec.replicas')!;
    assert.deepEqual([replicas.category, replicas.desired, replicas.live, replicas.manager], ['modified', 3, 5, 'kubectl-edit']);
    assert.ok(replicas.time && Date.now() - Date.parse(replicas.time) < 300_000, 'time of the live change');
    const env = d.changes.find((c) => c.category === 'live-only')!;
    assert.equal(env.path, 'spec.template.spec.containers[name=podinfo].env[name=PODINFO_LOG_LEVEL]');
    assert.deepEqual(env.live, { name: 'PODINFO_LOG_LEVEL', value: 'debug' });
    assert.equal(env.manager, 'kubectl-edit');
    // The object comes from the kustomize base: its source location says so.
    assert.equal(d.source?.file, path.join(world.repoDir, 'podinfo/base/deployment.yaml'));
  });

  it('keeps the synced app clean and reports missing-live and prune candidates', () => {
    const synced = report.resources.filter((r) => r.app === world.scenarios.synced);
    assert.ok(synced.length >= 3);
    assert.ok(synced.every((r) => r.status === 'Synced'), JSON.stringify(synced.filter((r) => r.status !== 'Synced')));
    const m = world.scenarios.missingLive;
    assert.equal(find(m.kind, m.namespace, m.name).status, 'MissingLive');
    const p = world.scenarios.pruneCandidate;
    assert.equal(find(p.kind, p.namespace, p.name).status, 'ExtraLive');
  });

  it('sees the drift that a suspended Flux Kustomization leaves in place', () => {
    const k = world.scenarios.suspendedKustomization;
    const d = find('Deployment', k.deploymentNamespace, k.deployment);
    assert.equal(d.status, 'Modified');
    assert.ok(d.changes.some((c) => c.category === 'live-only' && c.path.endsWith('env[name=REDIS_MAXMEMORY]')));
  });

  it('Flux post-build substitution (substitute + substituteFrom) is Synced: no false drift on ${vars}', () => {
    const s = world.scenarios.fluxSubstituted;
    const web = report.resources.filter((r) => r.app === s.app);
    assert.ok(web.length >= 3, JSON.stringify(web.map((r) => r.name)));
    assert.deepEqual(web.filter((r) => r.status !== 'Synced').map((r) => [r.kind, r.name, r.changes]), []);
  });

  it('the HelmRelease of the local chart is an app: Synced except the field edited live', () => {
    const h = world.scenarios.helmRelease;
    const shop = report.resources.filter((r) => r.app === h.app);
    assert.deepEqual(shop.map((r) => `${r.kind}/${r.namespace}/${r.name}`).sort(), ['ConfigMap/shop/shop-settings', 'Deployment/shop/shop', 'Service/shop/shop']);
    assert.deepEqual(shop.filter((r) => r.status !== 'Synced').map((r) => `${r.kind}/${r.name}`), [`${h.kind}/${h.name}`]);
    const cm = find(h.kind, h.namespace, h.name);
    assert.deepEqual(cm.changes.map((c) => [c.path, c.desired, c.live, c.manager]), [[h.path, h.desired, h.live, 'kubectl-edit']]);
  });

  it('reaches the same verdicts with the API server dry-run mode, and says which mode was used', async () => {
    const o = io();
    await main(['diff', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--mode', 'server-side', '-o', 'json'], o);
    const ssd = JSON.parse(o.stdout) as JsonReport;
    const verdict = (r: JsonResource) => `${r.kind}/${r.namespace}/${r.name}=${r.status}`;
    assert.deepEqual(ssd.resources.map(verdict).sort(), report.resources.map(verdict).sort());
    const s = world.scenarios.breakglass;
    const d = ssd.resources.find((r) => r.kind === 'Deployment' && r.namespace === s.namespace && r.name === s.deployment)!;
    assert.equal(d.mode, 'server-side');
    const offline = report.resources.find((r) => r.kind === 'Deployment' && r.namespace === s.namespace && r.name === s.deployment)!;
    const offlineReplicas = offline.changes.find((c) => c.path === 'spec.replicas')!;
    // The same change, the same attribution and the same revert forecast as the offline mode.
    assert.ok(offlineReplicas.revert, 'the offline report forecasts the revert');
    assert.deepEqual(d.changes.find((c) => c.path === 'spec.replicas'), { path: 'spec.replicas', category: 'modified', desired: 3, live: 5, manager: 'kubectl-edit', time: d.changes.find((c) => c.path === 'spec.replicas')!.time, revert: offlineReplicas.revert });
    assert.ok(ssd.resources.filter((r) => r.status === 'Synced').every((r) => r.mode === 'server-side' || r.mode === 'offline'));
    assert.ok(ssd.resources.some((r) => r.status === 'Synced' && r.mode === 'server-side'), 'synced objects were checked by the server too');
  });

  it('keeps live state current from watch events, including deletions seen only in a relist', async () => {
    const engine = new DriftEngine({ roots: [world.repoDir], clientFor: (c) => createKubeClient({ kubeconfig: world.kubeconfigPath, context: c }), runner: nodeProcessRunner, trusted: true });
    const context = world.contextName;
    const first = await engine.compute([context]);
    const cmKey = (r: { ref: { kind: string; name: string } }) => r.ref.kind === 'ConfigMap' && r.ref.name === 'guestbook-config';
    const status = (snap: typeof first) => snap.clusters[0].apps.flatMap((a) => a.resources).find(cmKey)?.status;
    assert.equal(status(first), 'Synced');
    const client = createKubeClient({ kubeconfig: world.kubeconfigPath, context });
    const all = (await client.list({ group: '', kind: 'ConfigMap' })).items;
    // A relist that no longer contains the ConfigMap: it was deleted while the watch was away.
    assert.ok(engine.resyncLive(context, { group: '', kind: 'ConfigMap' }, all.filter((o) => o.metadata.name !== 'guestbook-config')));
    assert.equal(status(await engine.compute([context], { reuseLive: true })), 'MissingLive');
    // It comes back (e.g. self-heal recreated it): a watch event restores it.
    const cm = all.find((o) => o.metadata.name === 'guestbook-config')!;
    assert.ok(engine.applyLiveEvent(context, 'ADDED', cm));
    assert.equal(status(await engine.compute([context], { reuseLive: true })), 'Synced');
  });

  it('refuses to end a breakglass with resume while live fixes are not in Git, unless told to', async () => {
    const s = world.scenarios.breakglass;
    const start = io();
    assert.equal(await main(['breakglass', 'start', s.app, '--kubeconfig', world.kubeconfigPath, '--reason', 'test', '--yes'], start), 0, start.stderr);
    const refused = io();
    assert.equal(await main(['breakglass', 'end', s.app, '--kubeconfig', world.kubeconfigPath, '--repo', world.repoDir], refused), 2);
    assert.match(refused.stderr, /live change\(s\) are not in Git \(Deployment\/podinfo\)/);
    const kept = io();
    assert.equal(await main(['breakglass', 'end', s.app, '--kubeconfig', world.kubeconfigPath, '--repo', world.repoDir, '--no-resume'], kept), 0, kept.stderr);
    assert.match(kept.stdout, /still paused/);
  });

  it('replays a watch event that arrives while the LIST is in flight', async () => {
    const context = world.contextName;
    const real = createKubeClient({ kubeconfig: world.kubeconfigPath, context });
    let duringList: (() => void) | undefined;
    const client = Object.create(real) as typeof real;
    client.list = async (t, o) => {
      const r = await real.list(t, o);
      if (t.kind === 'ConfigMap' && duringList) {
        const run = duringList;
        duringList = undefined;
        run();
      }
      return r;
    };
    const engine = new DriftEngine({ roots: [world.repoDir], clientFor: () => client, runner: nodeProcessRunner, trusted: true });
    const cm = (await real.list({ group: '', kind: 'ConfigMap' }, { namespace: 'guestbook' })).items.find((o) => o.metadata.name === 'guestbook-config')!;
    const firstKey = Object.keys(cm.data as object)[0];
    const newer = { ...cm, metadata: { ...cm.metadata, resourceVersion: String(Number(cm.metadata.resourceVersion) + 100000) }, data: { ...(cm.data as object), [firstKey]: 'changed-live' } };
    duringList = () => engine.applyLiveEvent(context, 'MODIFIED', newer);
    const snap = await engine.compute([context]);
    const r = snap.clusters[0].apps.flatMap((a) => a.resources).find((x) => x.ref.kind === 'ConfigMap' && x.ref.name === 'guestbook-config')!;
    assert.equal(r.status, 'Modified', 'the event seen during the LIST is not lost');
    assert.ok(r.changes.some((c) => c.path === `data.${firstKey}` || c.path === `data["${firstKey}"]`), JSON.stringify(r.changes));
  });

  it('exits 2 with a message for an app name that does not exist', async () => {
    const o = io();
    assert.equal(await main(['diff', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--app', 'no-such-app'], o), 2);
    assert.match(o.stderr, /no app named no-such-app/);
  });

  it('lists the apps with their controller state', async () => {
    const o = io();
    assert.equal(await main(['apps', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '-o', 'json'], o), 0);
    const apps = JSON.parse(o.stdout).apps as { name: string; kind: string; autoSync?: string; suspended?: boolean; sync?: string }[];
    const byName = new Map(apps.map((a) => [a.name, a]));
    assert.equal(byName.get('podinfo-production')?.autoSync, 'paused');
    assert.equal(byName.get('infra')?.kind, 'flux-kustomization');
    assert.equal(byName.get('infra')?.suspended, true);
    assert.equal(byName.get('guestbook')?.sync, 'Synced');
    assert.ok(byName.has('billing'), 'the ApplicationSet-generated app is found from the cluster or the workspace');
  });

  it('captures the kubectl edit into the kustomize overlay from the CLI, and the re-diff is clean', async () => {
    const s = world.scenarios.breakglass;
    const o = io();
    const code = await main(['capture', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--resource', `apps/Deployment/${s.namespace}/${s.deployment}`, '--commit', '--branch', 'breakglass/cli-test', '-o', 'json'], o);
    assert.equal(code, 0, o.stderr);
    const out = JSON.parse(o.stdout);
    assert.deepEqual(out.captured.map((c: { path: string }) => c.path).sort(), ['spec.replicas', 'spec.template.spec.containers[name=podinfo].env[name=PODINFO_LOG_LEVEL]']);
    // production is an overlay of the base: the change belongs in the overlay, not in the shared base.
    assert.ok(out.files.every((f: string) => f.includes(path.join('podinfo', 'overlays', 'production'))), out.files.join(', '));
    assert.equal(execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: world.repoDir, encoding: 'utf8' }).trim(), 'breakglass/cli-test');
    const msg = execFileSync('git', ['log', '-1', '--format=%B'], { cwd: world.repoDir, encoding: 'utf8' });
    assert.match(msg, /kubectl-edit/);
    assert.match(msg, /spec\.replicas/);

    const again = io();
    await main(['diff', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '-o', 'json'], again);
    const after = (JSON.parse(again.stdout) as JsonReport).resources.find((r) => r.kind === 'Deployment' && r.namespace === s.namespace && r.name === s.deployment)!;
    assert.equal(after.status, 'Synced', JSON.stringify(after.changes));
  });
});
