// The seeded demo world (what `npm start` and `npm run demo:cluster` show), checked through the API.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../demo/seed-demo-world';
import { type DemoWorld, startDemoWorld } from '../demo/start-demo-world';
import { KubeRest } from './kube-rest';

describe('demo world (emulator + simulated controllers + demo repo)', function () {
  this.timeout(90_000);
  let world: DemoWorld;
  let rest: KubeRest;
  let tmp: string;
  const app = async (name: string) => (await rest.call('GET', `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`)) as any;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-world-'));
    world = await startDemoWorld({ dir: tmp, timing: 'fast' });
    rest = await KubeRest.fromKubeconfig(world.kubeconfigPath);
  });

  after(async () => {
    await world?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('guestbook is fully Synced and Healthy at the head commit', async () => {
    const a = await app('guestbook');
    assert.equal(a.status.sync.status, 'Synced');
    assert.equal(a.status.health.status, 'Healthy');
    assert.equal(a.status.sync.revision, world.repo.headCommit);
  });

  it('podinfo-production: auto-sync paused and the Deployment edited live by kubectl-edit (breakglass)', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // several fast self-heal delays
    const a = await app('podinfo-production');
    assert.equal(a.spec.syncPolicy.automated.enabled, false);
    assert.equal(a.status.sync.status, 'OutOfSync');
    const d = await rest.call('GET', '/apis/apps/v1/namespaces/podinfo-production/deployments/podinfo');
    assert.equal(d.spec.replicas, 5);
    assert.ok(d.spec.template.spec.containers[0].env.some((e: any) => e.name === 'PODINFO_LOG_LEVEL' && e.value === 'debug'));
    const edit = d.metadata.managedFields.find((m: any) => m.manager === 'kubectl-edit');
    assert.ok(edit?.fieldsV1['f:spec']['f:replicas'], 'kubectl-edit owns replicas');
  });

  it('Flux Kustomization infra is suspended and its drift stays', async () => {
    const ks = await rest.call('GET', '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/infra');
    assert.equal(ks.spec.suspend, true);
    assert.ok(ks.status.inventory.entries.some((e: any) => e.id === 'infra_redis_apps_Deployment'));
    const d = await rest.call('GET', '/apis/apps/v1/namespaces/infra/deployments/redis');
    assert.equal(d.spec.replicas, 2);
    assert.ok(d.spec.template.spec.containers[0].env.some((e: any) => e.name === 'REDIS_MAXMEMORY'));
  });

  it('podinfo-staging has a resource missing live and a tracked prune candidate', async () => {
    const a = await app('podinfo-staging');
    assert.equal(a.status.sync.status, 'OutOfSync');
    assert.equal(a.status.operationState.syncResult.revision, world.repo.initialCommit);
    const ingress = a.status.resources.find((r: any) => r.kind === 'Ingress');
    assert.equal(ingress.status, 'OutOfSync');
    assert.equal(ingress.health.status, 'Missing');
    assert.equal((await rest.request('GET', '/apis/networking.k8s.io/v1/namespaces/podinfo-staging/ingresses/podinfo')).status, 404);
    const legacy = a.status.resources.find((r: any) => r.name === 'podinfo-legacy-settings');
    assert.equal(legacy.requiresPruning, true);
    const cm = await rest.call('GET', '/api/v1/namespaces/podinfo-staging/configmaps/podinfo-legacy-settings');
    assert.equal(cm.metadata.annotations['argocd.argoproj.io/tracking-id'], 'podinfo-staging:/ConfigMap:podinfo-staging/podinfo-legacy-settings');
  });

  it('Flux Kustomization web: post-build variables from substitute, the web-vars ConfigMap and a default', async () => {
    const cm = await rest.call('GET', '/api/v1/namespaces/web/configmaps/web-config');
    assert.deepEqual(cm.data, { tier: 'frontend', region: 'eu-west-1', 'log-level': 'info', 'log-format': 'json' });
    const d = await rest.call('GET', '/apis/apps/v1/namespaces/web/deployments/web');
    assert.equal(d.metadata.labels['app.kubernetes.io/part-of'], 'frontend');
    assert.equal(d.metadata.labels['kustomize.toolkit.fluxcd.io/name'], 'web');
  });

  it('Flux HelmRelease shop: the local chart installed by helm-controller, the live currency edit stays', async () => {
    const hr = await rest.call('GET', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases/shop');
    assert.ok(hr.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    const d = await rest.call('GET', '/apis/apps/v1/namespaces/shop/deployments/shop');
    assert.equal(d.spec.replicas, 2, 'spec.values over the chart values');
    assert.equal(d.metadata.labels['helm.toolkit.fluxcd.io/name'], 'shop');
    assert.ok(d.metadata.managedFields.some((m: any) => m.manager === 'helm-controller' && m.operation === 'Apply'));
    await new Promise((r) => setTimeout(r, 1000)); // several fast reconcile intervals: nothing reverts it
    const cm = await rest.call('GET', '/api/v1/namespaces/shop/configmaps/shop-settings');
    assert.equal(cm.data.currency, 'GBP');
  });

  it('billing is owned by the ApplicationSet team-apps', async () => {
    const a = await app('billing');
    assert.deepEqual(a.metadata.ownerReferences.map((o: any) => `${o.kind}/${o.name}`), ['ApplicationSet/team-apps']);
    assert.equal(a.status.sync.status, 'Synced');
  });
});

describe('npm run demo:cluster', function () {
  this.timeout(90_000);

  it('writes the kubeconfig once the world is ready, serves kubectl, and stops cleanly on Ctrl-C', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cluster-cli-'));
    const kubeconfig = path.join(tmp, 'kc');
    const repoRoot = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/emulator/demo-cluster.ts'), '--kubeconfig', kubeconfig, '--repo-dir', path.join(tmp, 'world'), '--fast', '--quiet'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('kubeconfig written', async () => fs.existsSync(kubeconfig) || child.exitCode !== null, 80_000);
      assert.equal(child.exitCode, null, out);
      assert.match(out, /The demo world is ready/);
      const apps = JSON.parse(execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'applications.argoproj.io', '-n', 'argocd', '-o', 'json'], { encoding: 'utf8' }));
      assert.deepEqual(apps.items.map((a: any) => a.metadata.name).sort(), ['billing', 'guestbook', 'podinfo-production', 'podinfo-staging']);
      assert.ok(fs.existsSync(path.join(tmp, 'world/gitops-demo/.git')));
    } finally {
      child.kill('SIGINT');
      assert.equal(await exited, 0, out);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
