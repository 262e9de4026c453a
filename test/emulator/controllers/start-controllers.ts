// Entry point: runs the simulated Argo CD (applications + ApplicationSets) and Flux controllers as API
// clients of a cluster given by a kubeconfig, each polling on its own loop until stop().
import { ApplicationSetController } from './applicationset-controller';
import { ArgoApplicationController } from './argo-controller';
import { type ControllerContext, type ControllerTiming, DEMO_TIMING, errorMessage } from './controller-context';
import { FluxController } from './flux-controller';
import { RevisionCache, TreeCache } from './git-source';
import { KubeRest } from './kube-rest';
import { sleep } from './object-compare';

export interface StartControllersOptions {
  kubeconfigPath: string;
  /** repoURL (as written in Applications / GitRepositories) → local Git repository path. */
  repoMap: Record<string, string>;
  timing?: Partial<ControllerTiming>;
  /** Run the Argo CD controllers (Applications and ApplicationSets); default true. */
  argo?: boolean;
  /** Run the Flux controllers; default true. */
  flux?: boolean;
  argoNamespace?: string;
  log?: (msg: string) => void;
}

export interface RunningControllers {
  /**
   * Resolves once every controller loop has run a whole pass that began after this call: a change made before it
   * has been seen (e.g. a suspend), so no pass that read the old state is still in flight.
   */
  settled(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export async function startControllers(opts: StartControllersOptions): Promise<RunningControllers> {
  const abort = new AbortController();
  const trees = new TreeCache();
  const timing = { ...DEMO_TIMING, ...opts.timing };
  const ctx: ControllerContext = {
    rest: await KubeRest.fromKubeconfig(opts.kubeconfigPath),
    repoMap: opts.repoMap,
    trees,
    // New commits show up within a second (or at once on refresh), without a git spawn per poll.
    revisions: new RevisionCache(Math.min(1000, timing.reconcileIntervalMs)),
    timing,
    log: opts.log ?? (() => {}),
    argoNamespace: opts.argoNamespace ?? 'argocd',
  };
  const loops: Promise<void>[] = [];
  /** Per loop: passes begun and finished, and who waits for a pass number to finish. */
  const counters: { started: number; finished: number; waiters: { pass: number; resolve: () => void }[] }[] = [];
  const run = (name: string, tick: (s: AbortSignal) => Promise<void>) => {
    const c = { started: 0, finished: 0, waiters: [] as { pass: number; resolve: () => void }[] };
    counters.push(c);
    loops.push(
      (async () => {
        while (!abort.signal.aborted) {
          c.started++;
          try {
            await tick(abort.signal);
          } catch (e) {
            if (!abort.signal.aborted) ctx.log(`${name}: ${errorMessage(e)}`);
          }
          c.finished = c.started;
          c.waiters = c.waiters.filter((w) => (w.pass <= c.finished ? (w.resolve(), false) : true));
          await sleep(ctx.timing.pollMs, abort.signal);
        }
      })(),
    );
  };
  if (opts.argo !== false) {
    const apps = new ArgoApplicationController(ctx);
    const sets = new ApplicationSetController(ctx);
    run('argo', (s) => apps.tick(s));
    run('applicationset', (s) => sets.tick(s));
  }
  if (opts.flux !== false) {
    const flux = new FluxController(ctx);
    run('flux', (s) => flux.tick(s));
  }
  return {
    async settled(signal) {
      // The pass after the one in flight (if any) is the first to begin after now.
      await Promise.all(
        counters.map(
          (c) =>
            new Promise<void>((resolve, reject) => {
              // Listeners come off once the pass is seen: the controllers' signal lives for the whole test run.
              const off = () => {
                signal?.removeEventListener('abort', fail);
                abort.signal.removeEventListener('abort', fail);
              };
              const fail = () => (off(), reject(new Error('aborted while waiting for the controllers')));
              c.waiters.push({ pass: c.started + 1, resolve: () => (off(), resolve()) });
              signal?.addEventListener('abort', fail, { once: true });
              abort.signal.addEventListener('abort', fail, { once: true });
            }),
        ),
      );
    },
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      trees.dispose();
    },
  };
}
