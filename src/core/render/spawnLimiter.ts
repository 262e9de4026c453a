// Bounds how many kustomize/helm processes run at once. The engine renders every app concurrently; 25 builds
// spawned together on a 2-core machine thrash and finish later than a few at a time.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { GitOpsError } from '../model';
import type { ProcessResult, ProcessRunner } from '../ports';
import { throwIfAborted } from '../ports';

export class SpawnLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  /** Runs `task` once fewer than `max` tasks are running; a signal aborted while waiting rejects without running. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      throwIfAborted(signal);
      return await task();
    } finally {
      // Hand the slot straight to the next waiter so `active` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** One build more than cores (2–4): process start-up waits on I/O, so a spare slot keeps the cores busy. */
export const DEFAULT_SPAWN_LIMIT = Math.min(4, Math.max(2, availableParallelism() + 1));

const limiters = new WeakMap<ProcessRunner, SpawnLimiter>();

/**
 * One limiter per runner, so every render through the same runner (the engine's) shares the bound without a
 * module-wide queue; tests with their own runner are not slowed by others.
 */
export function limiterFor(runner: ProcessRunner): SpawnLimiter {
  let l = limiters.get(runner);
  if (!l) {
    l = new SpawnLimiter(DEFAULT_SPAWN_LIMIT);
    limiters.set(runner, l);
  }
  return l;
}

/** Deadline of one kustomize/helm run unless configured: a remote base that never answers must not hang the app. */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;

/** `timeoutMs` if given, else GITOPS_DRIFT_RENDER_TIMEOUT (seconds) from the environment, else the default. */
export function renderTimeoutMs(timeoutMs?: number): number {
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0) return timeoutMs;
  const env = Number(process.env.GITOPS_DRIFT_RENDER_TIMEOUT);
  return Number.isFinite(env) && env > 0 ? env * 1000 : DEFAULT_RENDER_TIMEOUT_MS;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

type RunOpts = Parameters<ProcessRunner['run']>[2];

/**
 * Runs a render process under the runner's limiter, with a deadline counted from its start (not its wait for a
 * slot). The process gets an AbortSignal that fires at the deadline or when the caller's signal aborts; a deadline
 * becomes a GitOpsError('timeout') naming the tool, the folder and the deadline.
 */
export function runLimited(runner: ProcessRunner, cmd: string, args: string[], opts: RunOpts & { timeoutMs?: number }): Promise<ProcessResult> {
  const { timeoutMs, ...runOpts } = opts;
  const ms = renderTimeoutMs(timeoutMs);
  return limiterFor(runner).run(async () => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ms);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
    try {
      const run = runner.run(cmd, args, { ...runOpts, signal });
      // A runner that ignores the signal still cannot hold the app past the deadline.
      const expired = new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', () => reject(new Error('deadline')), { once: true }));
      expired.catch(() => undefined);
      return await Promise.race([run, expired]);
    } catch (e) {
      if (deadline.signal.aborted && !opts.signal?.aborted) {
        const tool = `${path.basename(cmd)}${args[0] && !args[0].startsWith('-') ? ` ${args[0]}` : ''}`;
        throw new GitOpsError('timeout', `${tool} in ${opts.cwd ?? '.'} did not finish within ${seconds(ms)}; stopped it (a remote resource that does not answer?). Set GITOPS_DRIFT_RENDER_TIMEOUT (seconds) to allow longer`, {
          file: opts.cwd,
          cause: e,
        });
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }, opts.signal);
}
