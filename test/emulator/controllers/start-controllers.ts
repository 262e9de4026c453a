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
  const run = (name: string, tick: (s: AbortSignal) => Promise<void>) =>
    loops.push(
      (async () => {
        while (!abort.signal.aborted) {
          try {
            await tick(abort.signal);
          } catch (e) {
            if (!abort.signal.aborted) ctx.log(`${name}: ${errorMessage(e)}`);
          }
          await sleep(ctx.timing.pollMs, abort.signal);
        }
      })(),
    );
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
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      trees.dispose();
    },
  };
}
