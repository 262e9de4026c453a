// `npm start`: a whole GitOps world on this machine and VS Code in the browser to look at it.
// Builds the extension, starts the Kubernetes API emulator with simulated Argo CD and Flux and a generated demo
// GitOps repo, installs code-server if missing, opens the demo repo in it with the extension loaded, prints the
// URL, and stops everything on Ctrl-C.
// `--real`: the real kube-apiserver + etcd built by `npm run tools` instead of the emulator (the fast default).
// `--smoke`: the same start, then a headless browser checks that the Drift view lists the seeded apps; exits 0 or 1.
import '../test/backend/pinnedTools';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startDemoWorld } from '../test/emulator/demo/start-demo-world';
import { smokeCheck } from './smoke';
import { envWithTools, pinnedToolSettings, toolPath } from '../test/cluster/tools';

const codeServer = require('./code-server.js');

const repoRoot = path.resolve(__dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * The demo's simulated controllers render with `kubectl kustomize` and `helm` (the demo's HelmRelease chart) and
 * the seed edits with `kubectl`: on a machine that lacks either, build the pinned tools once (`npm run tools`, Go
 * and its module proxy needed) instead of failing later.
 */
function ensurePinnedTools(): void {
  const needed = ['kubectl', 'helm'] as const;
  if (needed.every((t) => fs.existsSync(toolPath(t)))) return;
  const onPath = (tool: string) => (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, tool)));
  if (needed.every(onPath) && !process.argv.includes('--real')) return;
  console.log('Building the pinned Kubernetes tools once (npm run tools: kubectl, kube-apiserver, kustomize, helm into .tools/bin/)…');
  execFileSync('npm', ['run', 'tools'], { stdio: 'inherit', cwd: repoRoot });
  process.env.PATH = envWithTools(process.env).PATH;
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? process.env.PORT ?? 8080);
  const dir = path.resolve(arg('dir') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-demo-')));
  ensurePinnedTools();
  console.log('Building the extension…');
  execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.js')], { stdio: 'inherit', cwd: repoRoot });

  const backend = process.argv.includes('--real') ? 'real' : 'emulator';
  console.log(`Starting the ${backend === 'real' ? 'real kube-apiserver' : 'emulated cluster'} with simulated Argo CD and Flux…`);
  const world = await startDemoWorld({ dir, timing: 'demo', backend });
  console.log(`  kubeconfig: ${world.kubeconfigPath}`);
  console.log(`  demo repo:  ${world.repoDir}`);

  if (!codeServer.locateCodeServer()) {
    console.log('Installing code-server (once, into .vscode-test/)…');
    await codeServer.installCodeServer({});
  }
  const server = await codeServer.startCodeServer({
    port,
    env: { KUBECONFIG: world.kubeconfigPath },
    workspaceTrust: false,
    settings: { 'workbench.startupEditor': 'none', ...pinnedToolSettings() },
  });
  const host = new URL(server.url).host;
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${host}${repoRoot}`]]);
  const url = `${server.url}/?folder=${encodeURIComponent(world.repoDir)}&payload=${encodeURIComponent(payload)}`;
  if (process.argv.includes('--smoke')) {
    const s = world.scenarios;
    const apps = [...new Set([s.synced, s.breakglass.app, s.suspendedKustomization.name, s.missingLive.app, s.pruneCandidate.app, s.appSetOwned.app])];
    let code = 0;
    try {
      await smokeCheck({ url, apps, screenshot: path.join(repoRoot, 'test-results', 'npm-start-smoke.png') });
      console.log('Smoke check passed.');
    } catch (e) {
      console.error(`Smoke check failed: ${e instanceof Error ? e.message : e}\ncode-server output:\n${server.output()}`);
      code = 1;
    }
    await server.stop().catch(() => {});
    await world.stop().catch(() => {});
    process.exit(code);
  }
  console.log(`\nGitOps Drift is running. Open:\n\n  ${url}\n\nkubectl works too:  KUBECONFIG=${world.kubeconfigPath} kubectl get applications -A\nPress Ctrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await server.stop().catch(() => {});
    await world.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
