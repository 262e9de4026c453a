// Bounds how many kustomize/helm processes run at once. The engine renders every app concurrently; 25 builds
// spawned together on a 2-core machine thrash and finish later than a few at a time.
import { availableParallelism } from 'node:os';
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

/** Runs a render process under the runner's limiter. */
export function runLimited(runner: ProcessRunner, cmd: string, args: string[], opts: Parameters<ProcessRunner['run']>[2]): Promise<ProcessResult> {
  return limiterFor(runner).run(() => runner.run(cmd, args, opts), opts.signal);
}
