// `npm run cluster:real -- [--kubeconfig FILE] [--crds DIR] [--dir DIR] [--verbose]`
// Runs a real kube-apiserver (v1.37.2, embedded etcd; built by `npm run tools`) until Ctrl-C.
// --crds defaults to test/emulator/demo/crds/ when that folder exists (Argo CD and Flux CRDs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRealCluster } from '../test/cluster/realCluster';
import { repoRoot, toolPath } from '../test/cluster/tools';

function parseArgs(argv: string[]): { kubeconfig?: string; crds?: string; dir?: string; verbose: boolean } {
  const out: { kubeconfig?: string; crds?: string; dir?: string; verbose: boolean } = { verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--kubeconfig': out.kubeconfig = value(); break;
      case '--crds': out.crds = value(); break;
      case '--no-crds': out.crds = ''; break;
      case '--dir': out.dir = value(); break;
      case '--verbose': out.verbose = true; break;
      case '-h':
      case '--help':
        console.log('usage: npm run cluster:real -- [--kubeconfig FILE] [--crds DIR | --no-crds] [--dir DIR] [--verbose]');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a} (try --help)`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const defaultCrds = path.join(repoRoot(), 'test', 'emulator', 'demo', 'crds');
  const crdDir = args.crds === undefined ? (fs.existsSync(defaultCrds) ? defaultCrds : undefined) : args.crds || undefined;
  const ac = new AbortController();
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${sig}: stopping…`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.error(`starting kube-apiserver (${toolPath('gitops-drift-apiserver')})${crdDir ? ` with CRDs from ${path.relative(process.cwd(), crdDir) || crdDir}` : ''}…`);
  const cluster = await startRealCluster({ kubeconfigPath: args.kubeconfig, dir: args.dir, crdDir, verbose: args.verbose, signal: ac.signal });
  console.log(`Kubernetes ${cluster.version} at ${cluster.server} (pid ${cluster.pid})`);
  console.log(`kubeconfig: ${cluster.kubeconfigPath}`);
  console.log(`contexts:   ${cluster.contexts.admin} (system:masters, current), ${cluster.contexts.nsUser} (team-a, team-b only), ${cluster.contexts.viewer} (read-only)`);
  console.log(`started in  ${(cluster.startupMs / 1000).toFixed(1)} s (apiserver), ${(cluster.totalStartupMs / 1000).toFixed(1)} s with CRDs`);
  console.log(`try:        ${toolPath('kubectl')} --kubeconfig ${cluster.kubeconfigPath} get ns`);
  console.log('Ctrl-C stops it.');

  const why = await new Promise<'signal' | 'exited'>((resolve) => {
    if (ac.signal.aborted) resolve('signal');
    else ac.signal.addEventListener('abort', () => resolve('signal'), { once: true });
    void cluster.exited.then(() => resolve('exited'));
  });
  await cluster.stop();
  if (why === 'exited' && !stopping) throw new Error('the apiserver exited on its own (see its stderr above)');
  console.error('stopped.');
}

main().catch((e) => {
  console.error(`cluster:real: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
