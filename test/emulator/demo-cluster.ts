// `npm run demo:cluster -- --kubeconfig <file> [--real] [--repo-dir <dir>] [--port <n>] [--fast] [--quiet]`:
// the demo GitOps world alone (emulator, or with --real the real kube-apiserver from `npm run tools`, + simulated
// Argo CD and Flux + demo repo), for kubectl or a desktop VS Code. Writes the kubeconfig once the world is seeded,
// then runs until Ctrl-C.
import '../backend/pinnedTools';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemoWorld } from './demo/start-demo-world';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const target = arg('kubeconfig');
  const dir = path.resolve(arg('repo-dir') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-demo-world-')));
  const quiet = process.argv.includes('--quiet');
  const backend = process.argv.includes('--real') ? 'real' : undefined;
  console.log(`Starting the ${backend === 'real' ? 'real kube-apiserver' : 'emulated cluster'} with simulated Argo CD and Flux, and seeding the demo scenarios…`);
  const world = await startDemoWorld({
    dir,
    backend,
    timing: process.argv.includes('--fast') ? 'fast' : 'demo',
    port: arg('port') ? Number(arg('port')) : undefined,
    log: quiet ? undefined : (m) => console.log(`  [controllers] ${m}`),
  });
  // Written only now, so a waiting client never sees a half-seeded world.
  if (target) {
    // Atomically (temp file + rename), so a client polling for the file never reads half of it.
    const tmp = `${path.resolve(target)}.${process.pid}.tmp`;
    fs.copyFileSync(world.kubeconfigPath, tmp);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, path.resolve(target));
  }
  const kubeconfig = target ? path.resolve(target) : world.kubeconfigPath;
  const s = world.scenarios;
  console.log(`
The demo world is ready.
  kubeconfig: ${kubeconfig}
  demo repo:  ${world.repoDir}

Seeded scenarios:
  ${s.synced}: fully Synced (auto-sync with self-heal: try a kubectl edit and watch it revert)
  ${s.breakglass.app}: auto-sync paused, Deployment ${s.breakglass.namespace}/${s.breakglass.deployment} edited live by kubectl-edit (replicas, env var)
  Flux Kustomization ${s.suspendedKustomization.namespace}/${s.suspendedKustomization.name}: suspended, Deployment ${s.suspendedKustomization.deploymentNamespace}/${s.suspendedKustomization.deployment} drifted
  ${s.missingLive.app}: ${s.missingLive.kind} ${s.missingLive.namespace}/${s.missingLive.name} is in Git but missing live
  ${s.pruneCandidate.app}: ${s.pruneCandidate.kind} ${s.pruneCandidate.namespace}/${s.pruneCandidate.name} is live and tracked but gone from Git
  ${s.appSetOwned.app}: owned by ApplicationSet ${s.appSetOwned.appSet}

Try: KUBECONFIG=${kubeconfig} kubectl get applications.argoproj.io -n argocd
Press Ctrl-C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await world.stop().catch((e) => console.error(e));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
