// The CLI over the workflow layer, end to end on the demo world: the production guard needs the typed app name
// (--confirm, never --yes), and `breakglass end --repo --capture` captures the live edits into a commit like the
// editor's End Breakglass, recording it in the breakglass record.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/cli';
import { startDemoWorld, type DemoWorld } from './demo/start-demo-world';
import { createKubeClient } from '../../src/core/kube/http-kube-client';
import { applicationRef } from '../../src/core/control/argo-sync';
import { memoryIo, type MemoryIo } from '../cli/memoryIo';

const io = (): MemoryIo => memoryIo({ ...process.env, KUBECONFIG: '' });

describe('CLI flows on the demo world', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  // The emulator runs in this process: read through the API client (a synchronous kubectl would block it).
  const application = (name: string) => createKubeClient({ kubeconfig: world.kubeconfigPath }).get(applicationRef('argocd', name)) as Promise<any>;
  const git = (args: string[]) => execFileSync('git', args, { cwd: world.repoDir, encoding: 'utf8' }).trim();

  before(async () => {
    world = await startDemoWorld({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'gd-cliflows-')), timing: 'fast' });
  });
  after(async () => {
    await world?.stop();
  });

  it('a production pause needs --confirm with the app name: --yes alone and a wrong name are refused', async () => {
    const app = world.scenarios.synced; // guestbook: auto-sync on
    const prod = ['--kubeconfig', world.kubeconfigPath, '--production-pattern', `^${world.contextName}$`];
    const before = (await application(app)).spec.syncPolicy;
    const yes = io();
    assert.equal(await main(['pause', app, ...prod, '--yes'], yes), 2);
    assert.match(yes.stderr, /Pause auto-sync on production context .*: the app name must be typed to confirm\.\nThis needs an answer: pass --confirm <app name>/);
    const wrong = io();
    assert.equal(await main(['pause', app, ...prod, '--confirm', 'podinfo'], wrong), 2);
    assert.match(wrong.stderr, new RegExp(`the confirmation did not match ${app}`));
    assert.deepEqual((await application(app)).spec.syncPolicy, before, 'nothing changed');
    const right = io();
    assert.equal(await main(['pause', app, ...prod, '--confirm', app], right), 0, right.stderr);
    assert.match(right.stdout, new RegExp(`auto-sync paused on argocd/${app}`));
    const resumed = io();
    assert.equal(await main(['resume', app, ...prod, '--confirm', app], resumed), 0, resumed.stderr);
  });

  it('breakglass end --repo --capture commits the live edits on a capture branch and records the commit', async () => {
    const s = world.scenarios.breakglass;
    const start = io();
    assert.equal(await main(['breakglass', 'start', s.app, '--kubeconfig', world.kubeconfigPath, '--reason', 'INC-1 latency'], start), 0, start.stderr);
    const end = io();
    assert.equal(await main(['breakglass', 'end', s.app, '--kubeconfig', world.kubeconfigPath, '--repo', world.repoDir, '--capture'], end), 0, end.stderr);
    const m = /captured in ([0-9a-f]{8}) on (breakglass\/\S+?),/.exec(end.stdout);
    assert.ok(m, end.stdout);
    assert.equal(git(['rev-parse', '--abbrev-ref', 'HEAD']), m[2]);
    assert.ok(git(['rev-parse', 'HEAD']).startsWith(m[1]));
    assert.ok(git(['show', '--name-only', '--format=', 'HEAD']).split('\n').every((f) => f.startsWith('podinfo/overlays/production/')), 'the overlay, not the shared base');
    const record = JSON.parse((await application(s.app)).metadata.annotations['gitops-drift.dev/breakglass']);
    assert.ok(record.ended);
    assert.ok(record.commit.startsWith(m[1]));
    assert.equal(record.branch, m[2]);
    git(['checkout', '-q', 'main']);
  });
});
