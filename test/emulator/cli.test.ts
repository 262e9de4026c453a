// The `npm run emulator` command as people use it: seed, kubeconfig, kubectl, Ctrl-C saves the state.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeProcessRunner } from '../../src/core/ports';

const ROOT = resolve(__dirname, '../..');
const GUESTBOOK = resolve(ROOT, 'test/fixtures/real-repos/argoproj__argo-cd/applicationset/examples/applications-sync-policies/guestbook/engineering-dev');

function runCli(args: string[]): { output: () => string; ready: Promise<void>; interrupt: () => Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/emulator/cli.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<void>((res, rej) => {
    const timer = setInterval(() => {
      if (out.includes('Press Ctrl-C')) {
        clearInterval(timer);
        res();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      rej(new Error(`emulator exited early: ${out}`));
    });
  });
  return {
    output: () => out,
    ready,
    interrupt: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm run emulator (cli.ts)', function () {
  this.timeout(60000);

  it('seeds, prints the kubeconfig for kubectl, and saves state on Ctrl-C for the next run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const state = join(dir, 'state.json');
    const first = runCli(['--kubeconfig', kubeconfig, '--seed', GUESTBOOK, '--state', state]);
    await first.ready;
    assert.match(first.output(), new RegExp(`kubeconfig: ${kubeconfig}`));
    const env = { ...process.env, KUBECONFIG: kubeconfig };
    const got = await nodeProcessRunner.run('kubectl', ['get', 'deployment', 'guestbook-ui', '-o', 'jsonpath={.spec.replicas}'], { env });
    assert.equal(got.stdout, '1', got.stderr);
    assert.equal((await nodeProcessRunner.run('kubectl', ['scale', 'deployment', 'guestbook-ui', '--replicas=2'], { env })).code, 0);
    assert.equal(await first.interrupt(), 0);
    assert.ok(existsSync(state));
    assert.ok(readFileSync(state, 'utf8').includes('guestbook-ui'));

    const second = runCli(['--kubeconfig', kubeconfig, '--state', state]);
    await second.ready;
    try {
      const again = await nodeProcessRunner.run('kubectl', ['get', 'deployment', 'guestbook-ui', '-o', 'jsonpath={.spec.replicas}'], { env });
      assert.equal(again.stdout, '2', again.stderr);
    } finally {
      await second.interrupt();
    }
  });

  it('prints usage and exits 2 without --kubeconfig', async () => {
    const r = await nodeProcessRunner.run(process.execPath, ['--import', 'tsx', join(ROOT, 'test/emulator/cli.ts')], { cwd: ROOT });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /usage: npm run emulator -- --kubeconfig <file>/);
  });
});
