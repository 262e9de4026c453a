// Issue 14 item 2 end to end: `gitops-drift capture` of objects rendered by the demo world's Flux HelmRelease `shop`
// (a chart in the repository). A human `kubectl scale` of the shop Deployment and the seeded `kubectl edit` of its
// currency are written into the HelmRelease's spec.values (found by rendering the chart again with the pinned
// helm), not into the chart's templates or defaults; once the captured HelmRelease is applied (what Flux does when
// the branch is merged) the re-diff of the app is clean. Runs on both backends (KUBE_BACKEND).
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/cli';
import type { JsonReport } from '../../src/cli/output';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { startDemoWorld, type DemoWorld } from './demo/start-demo-world';
import { waitFor } from './demo/seed-demo-world';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '' });
// The emulator runs in this process: tools are run asynchronously so that it keeps answering.
const run = promisify(execFile);

describe('capture into the demo HelmRelease shop (CLI)', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  let tmp: string;
  const kubectl = (args: string[]) => run('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { encoding: 'utf8' });
  const git = (args: string[]) => execFileSync('git', args, { cwd: world.repoDir, encoding: 'utf8' }).trim();
  const shopReport = async () => {
    const o = io();
    await main(['diff', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--app', world.scenarios.helmRelease.app, '-o', 'json'], o);
    return (JSON.parse(o.stdout) as JsonReport).resources;
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-hrcapture-'));
    world = await startDemoWorld({ dir: tmp, timing: 'fast' });
  });
  after(async () => {
    await world?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('kubectl scale and the currency edit go into spec.values of clusters/demo/shop.yaml; applied, the re-diff is clean', async () => {
    const h = world.scenarios.helmRelease;
    await kubectl(['scale', '-n', h.namespace, 'deployment/shop', '--replicas=4']);
    const drifted = (await shopReport()).filter((r) => r.status !== 'Synced');
    assert.deepEqual(drifted.map((r) => [r.kind, r.name, r.changes.map((c) => [c.path, c.desired, c.live])]), [
      ['ConfigMap', 'shop-settings', [['data.currency', 'EUR', 'GBP']]],
      ['Deployment', 'shop', [['spec.replicas', 2, 4]]],
    ]);

    const manifest = path.join(world.repoDir, 'clusters/demo/shop.yaml');
    const before = fs.readFileSync(manifest, 'utf8');
    const o = io();
    assert.equal(await main(['capture', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--resource', `apps/Deployment/${h.namespace}/shop`, '--commit', '--branch', 'capture/shop', '-o', 'json'], o), 0, o.stderr + o.stdout);
    const out = JSON.parse(o.stdout);
    assert.deepEqual(out.captured.map((c: { path: string; target: string; file: string }) => [c.path, c.target, c.file]), [['spec.replicas', 'helm-values', manifest]]);
    const c = io();
    assert.equal(await main(['capture', '--repo', world.repoDir, '--kubeconfig', world.kubeconfigPath, '--resource', `/ConfigMap/${h.namespace}/${h.name}`, '--commit', '--stack', '-o', 'json'], c), 0, c.stderr + c.stdout);
    assert.deepEqual(JSON.parse(c.stdout).captured.map((x: { path: string; file: string }) => [x.path, x.file]), [[h.path, manifest]]);
    // Only the two values changed, in place; the chart is untouched.
    assert.equal(fs.readFileSync(manifest, 'utf8'), before.replace('replicas: 2', 'replicas: 4').replace('currency: EUR', 'currency: GBP'));
    assert.deepEqual(git(['diff', '--name-only', 'main', 'HEAD']).split('\n'), ['clusters/demo/shop.yaml']);

    // Flux applies the merged HelmRelease; helm-controller upgrades the release with the captured values.
    const client = createKubeClient({ kubeconfig: world.kubeconfigPath });
    const hrRef = { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', namespace: 'flux-system', name: 'shop' };
    await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=kustomize-controller', '-f', manifest]);
    await waitFor('the captured HelmRelease reconciled', async () => {
      const hr = (await client.get(hrRef)) as unknown as { metadata: { generation?: number }; spec: { values: { replicas: number } }; status?: { observedGeneration?: number } };
      return hr.spec.values.replicas === 4 && hr.status?.observedGeneration === hr.metadata.generation;
    }, 60_000);
    const after = await shopReport();
    assert.deepEqual(after.filter((r) => r.status !== 'Synced').map((r) => [r.kind, r.name, r.changes]), []);
    assert.equal(after.length, 3);
  });
});
