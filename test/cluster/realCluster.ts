// A real Kubernetes control plane for tests: spawns .tools/bin/gitops-drift-apiserver (kube-apiserver
// v1.37.2 + embedded etcd, built by `npm run tools`), waits for its READY line and optionally applies CRDs.
// The child exits when stop() is called, when this process exits, or when its stdin (a pipe from us)
// closes because this process died: no apiserver is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireTool, toolPath } from './tools';

export interface RealClusterOptions {
  /** Directory for certificates, tokens, kubeconfig, log and etcd data (default: a temporary one, removed at stop). */
  dir?: string;
  /** Where to write the kubeconfig (default: DIR/kubeconfig). */
  kubeconfigPath?: string;
  /** Apply every *.yaml / *.yml in this folder (server-side, as admin) and wait for the CRDs to be Established. */
  crdDir?: string;
  /** Aborting stops the cluster (or the start-up). */
  signal?: AbortSignal;
  /** Deadline for the READY line (default 60 s). */
  readyTimeoutMs?: number;
  /** Copy the apiserver's stderr (errors only, unless verbose) to this process's stderr (default true). */
  forwardStderr?: boolean;
  /** Let the apiserver log everything to stderr (it always logs everything to DIR/apiserver.log). */
  verbose?: boolean;
  /** Extra kube-apiserver flags, e.g. `--watch-cache=false` (passed as `--apiserver-arg=<flag>`). */
  apiserverArgs?: string[];
}

export interface RealCluster {
  kubeconfigPath: string;
  server: string;
  /** Context names in the kubeconfig: admin (system:masters), ns-user (team-a and team-b only), viewer (read-only). */
  contexts: { admin: string; nsUser: string; viewer: string };
  /** Milliseconds from the apiserver process start to READY (as it measured), and to READY + CRDs (as we measured). */
  startupMs: number;
  totalStartupMs: number;
  dir: string;
  pid: number;
  version: string;
  /** Settles when the apiserver process has exited (for whatever reason). */
  exited: Promise<void>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
}

interface ReadyLine {
  kubeconfig: string;
  server: string;
  startupMs: number;
  contexts: Record<string, string>;
  dir: string;
  version: string;
  pid: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // On exit the child gets SIGTERM (it shuts down cleanly and removes its temp dir); stdin closing is the backstop.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGTERM');
      } catch {}
    }
  });
}

export async function startRealCluster(opts: RealClusterOptions = {}): Promise<RealCluster> {
  const bin = requireTool('gitops-drift-apiserver');
  const t0 = Date.now();
  const args: string[] = [];
  if (opts.dir) args.push('--dir', path.resolve(opts.dir));
  if (opts.kubeconfigPath) args.push('--kubeconfig', path.resolve(opts.kubeconfigPath));
  if (opts.verbose) args.push('--verbose');
  for (const a of opts.apiserverArgs ?? []) args.push(`--apiserver-arg=${a}`);
  opts.signal?.throwIfAborted();

  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  installExitHook();

  let exited = child.exitCode !== null || child.signalCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
    child.once('error', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
  });

  const stderrTail: string[] = [];
  let stderrBuf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (opts.forwardStderr !== false) process.stderr.write(s);
    stderrBuf += s;
    const lines = stderrBuf.split('\n');
    stderrBuf = lines.pop() ?? '';
    stderrTail.push(...lines);
    if (stderrTail.length > 50) stderrTail.splice(0, stderrTail.length - 50);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (!exited) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exitPromise.then(() => false), delay(10_000).then(() => true)]);
        if (killed && !exited) {
          child.kill('SIGKILL');
          await exitPromise;
        }
      }
      child.stdin?.destroy();
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const failWith = async (why: string): Promise<never> => {
    await stop();
    const tail = stderrTail.concat(stderrBuf ? [stderrBuf] : []).slice(-20).join('\n');
    throw new Error(`gitops-drift-apiserver: ${why}${tail ? `\n--- its stderr (last lines) ---\n${tail}` : ''}`);
  };

  let ready: ReadyLine;
  try {
    ready = await waitForReady(child, exitPromise, opts.readyTimeoutMs ?? 60_000, opts.signal);
  } catch (e) {
    return failWith(e instanceof Error ? e.message : String(e));
  }

  if (opts.crdDir) {
    try {
      await applyCrds(ready.kubeconfig, ready.contexts.admin ?? 'admin', opts.crdDir, opts.signal);
    } catch (e) {
      return failWith(`applying CRDs from ${opts.crdDir}: ${e instanceof Error ? e.message : e}`);
    }
  }

  return {
    kubeconfigPath: ready.kubeconfig,
    server: ready.server,
    contexts: { admin: ready.contexts.admin ?? 'admin', nsUser: ready.contexts['ns-user'] ?? 'ns-user', viewer: ready.contexts.viewer ?? 'viewer' },
    startupMs: ready.startupMs,
    totalStartupMs: Date.now() - t0,
    dir: ready.dir,
    pid: child.pid!,
    version: ready.version,
    exited: exitPromise,
    stop,
  };
}

function waitForReady(child: ChildProcess, exited: Promise<void>, timeoutMs: number, signal?: AbortSignal): Promise<ReadyLine> {
  return new Promise<ReadyLine>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new Error(`no READY line within ${timeoutMs / 1000} s`)), timeoutMs);
    const onAbort = () => finish(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('READY ')) {
          try {
            return finish(undefined, JSON.parse(line.slice('READY '.length)) as ReadyLine);
          } catch (e) {
            return finish(new Error(`bad READY line ${JSON.stringify(line)}: ${e}`));
          }
        }
      }
    };
    let done = false;
    function finish(err?: Error, value?: ReadyLine): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining stdout afterwards
      if (err) reject(err);
      else resolve(value!);
    }
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('error', (e) => finish(new Error(`could not start: ${e.message}`)));
    void exited.then(() => finish(new Error(`exited before READY (code ${child.exitCode}, signal ${child.signalCode})`)));
  });
}

async function applyCrds(kubeconfig: string, context: string, dir: string, signal?: AbortSignal): Promise<void> {
  const files = fs.readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  if (files.length === 0) return;
  const kubectl = toolPath('kubectl');
  const base = ['--kubeconfig', kubeconfig, '--context', context];
  // One kubectl for all files (same as one `apply --server-side -f <file>` per file, faster).
  await exec(kubectl, [...base, 'apply', '--server-side', ...files.flatMap((f) => ['-f', f])], signal);
  // A CRD that has no status.conditions yet makes `kubectl wait` fail at once (".status.conditions accessor error:
  // <nil>") instead of waiting: ask again until every CRD has conditions and is Established, within the deadline.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await exec(kubectl, [...base, 'wait', '--for', 'condition=established', 'crd', '--all', '--timeout=60s'], signal);
      return;
    } catch (e) {
      if (!/accessor error/.test(String(e instanceof Error ? e.message : e)) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function exec(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} ${args.slice(4).join(' ')} exited ${code}: ${err.trim() || out.trim()}`))));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
