// The whole demo world in one call: emulator + simulated Argo CD and Flux + the generated demo repo,
// seeded into its scenarios. Used by `npm start`, `npm run demo:cluster` and integration tests.
import fs from 'node:fs';
import path from 'node:path';
import { type ControllerTiming, DEMO_TIMING, FAST_TIMING } from '../controllers/controller-context';
import { type RunningControllers, startControllers } from '../controllers/start-controllers';
import type { Emulator } from '../emulator';
import { type KubeBackend, startTestCluster } from '../../backend/testCluster';
import { createDemoRepo, type DemoRepo } from './create-demo-repo';
import { type SeededScenarios, seedDemoWorld } from './seed-demo-world';

export interface DemoWorldOptions {
  /** Folder for the demo repo (`<dir>/gitops-demo`) and the kubeconfig; created if missing. */
  dir: string;
  /** 'demo' (seconds, looks real; default), 'fast' (sub-second, tests) or explicit values. */
  timing?: 'demo' | 'fast' | Partial<ControllerTiming>;
  /** Where to write the kubeconfig (default `<dir>/kubeconfig`). */
  kubeconfigPath?: string;
  /** API server port (default: a free one). */
  port?: number;
  log?: (msg: string) => void;
  /** 'emulator' (default unless KUBE_BACKEND says otherwise) or 'real' (the real kube-apiserver from `npm run tools`). */
  backend?: KubeBackend;
}

export interface DemoWorld {
  kubeconfigPath: string;
  repoDir: string;
  repo: DemoRepo;
  scenarios: SeededScenarios;
  backend: KubeBackend;
  /** The kubeconfig context of the cluster (admin). */
  contextName: string;
  /** On the emulator backend only. */
  emulator?: Emulator;
  stop(): Promise<void>;
}

export async function startDemoWorld(opts: DemoWorldOptions): Promise<DemoWorld> {
  const timing = opts.timing === 'fast' ? FAST_TIMING : opts.timing === 'demo' || !opts.timing ? DEMO_TIMING : { ...DEMO_TIMING, ...opts.timing };
  fs.mkdirSync(opts.dir, { recursive: true });
  const repoDir = path.join(opts.dir, 'gitops-demo');
  // A repo left by an earlier run is replaced: the seeded scenarios assume the generated history.
  fs.rmSync(repoDir, { recursive: true, force: true });
  const repo = createDemoRepo(repoDir);
  const cluster = await startTestCluster({ backend: opts.backend, kubeconfigPath: opts.kubeconfigPath ?? path.join(opts.dir, 'kubeconfig'), name: 'gitops-demo', emulatorOptions: { port: opts.port } });
  let controllers: RunningControllers | undefined;
  const stop = async () => {
    await controllers?.stop();
    await cluster.stop();
  };
  try {
    controllers = await startControllers({ kubeconfigPath: cluster.kubeconfigPath, repoMap: { [repo.repoURL]: repoDir }, timing, log: opts.log });
    // The seed waits on a few controller passes: allow for slow demo timing.
    const running = controllers;
    const scenarios = await seedDemoWorld(cluster.kubeconfigPath, repo, { timeoutMs: Math.max(60_000, timing.selfHealDelayMs * 6 + timing.pollMs * 20), controllersSettled: (s) => running.settled(s) });
    return { kubeconfigPath: cluster.kubeconfigPath, repoDir, repo, scenarios, backend: cluster.backend, contextName: cluster.contextName, emulator: cluster.emulator, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
