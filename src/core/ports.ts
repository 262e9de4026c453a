// Small interfaces through which core reaches the outside world, so tests and the CLI can supply their own.
import { spawn } from 'node:child_process';
import { GitOpsError } from './model';

export interface Logger {
  trace(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ProcessRunner {
  run(cmd: string, args: string[], opts: { cwd?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv; input?: string }): Promise<ProcessResult>;
}

/** Runs a binary without a shell; a missing binary becomes a GitOpsError('unsupported'). */
export const nodeProcessRunner: ProcessRunner = {
  run(cmd, args, opts) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, signal: opts.signal, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') reject(new GitOpsError('unsupported', `${cmd} was not found on the PATH`));
        else if (e.name === 'AbortError') reject(new GitOpsError('cancelled', `${cmd} was cancelled`));
        else reject(e);
      });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      if (opts.input !== undefined) child.stdin.end(opts.input);
      else child.stdin.end();
    });
  },
};

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new GitOpsError('cancelled', 'Operation cancelled');
}

/**
 * Waits `ms`, or less when the signal aborts (polling loops then notice the abort themselves). The abort listener
 * is removed when the time is up: a polling loop reuses one signal for every sleep.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
