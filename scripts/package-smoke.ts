// `npm run package:smoke`: the packaged extension as a user gets it. Builds the .vsix (`npm run package`), checks
// that it carries no test code or fixtures, installs it into an empty code-server extensions folder with
// `code-server --install-extension`, starts the demo world, opens the demo repository in the workbench with only
// the installed extension (no development path) and checks through the DOM that the Drift view lists the seeded apps.
// The demo world's simulated controllers run the pinned tools (its Flux installs the demo's Git chart with helm).
import '../test/backend/pinnedTools';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startDemoWorld } from '../test/emulator/demo/start-demo-world';
import { smokeCheck } from './smoke';

const codeServer = require('./code-server.js');
const repoRoot = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const vsix = path.join(repoRoot, 'gitops-drift.vsix');
  console.log('Packaging…');
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const entry = codeServer.locateCodeServer() ?? (await codeServer.installCodeServer({}));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-vsix-'));
  const extensionsDir = path.join(tmp, 'extensions');
  let world: Awaited<ReturnType<typeof startDemoWorld>> | undefined;
  let server: { url: string; stop(): Promise<void>; output(): string } | undefined;
  try {
    console.log(`Installing ${path.basename(vsix)} into an empty extensions folder…`);
    execFileSync(process.execPath, [entry, '--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
    const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('gitops-drift.gitops-drift-'));
    if (installed.length !== 1) throw new Error(`expected one installed gitops-drift extension in ${extensionsDir}, found: ${fs.readdirSync(extensionsDir).join(', ')}`);
    const files = listFiles(path.join(extensionsDir, installed[0]));
    const unwanted = files.filter((f) => /^(test|src|scripts|node_modules|\.tools|\.vscode-test)\//.test(f) || /\.ts$/.test(f));
    if (unwanted.length) throw new Error(`the package carries files users do not need: ${unwanted.slice(0, 10).join(', ')}`);
    for (const needed of ['dist/extension.js', 'dist/extension-full.js', 'dist/cli.js', 'package.json']) if (!files.includes(needed)) throw new Error(`the package lacks ${needed}`);
    console.log(`  ${installed[0]}: ${files.length} files (${files.join(', ')})`);

    world = await startDemoWorld({ dir: path.join(tmp, 'world'), timing: 'demo' });
    server = await codeServer.startCodeServer({ entry, extensionsDir, env: { KUBECONFIG: world.kubeconfigPath }, settings: { 'workbench.startupEditor': 'none' } });
    const s = world.scenarios;
    await smokeCheck({
      url: `${server!.url}/?folder=${encodeURIComponent(world.repoDir)}`,
      apps: [...new Set([s.synced, s.breakglass.app, s.suspendedKustomization.name, s.missingLive.app])],
      screenshot: path.join(repoRoot, 'test-results', 'vsix-smoke.png'),
    });
    console.log('The packaged extension installs and activates.');
  } catch (e) {
    if (server) console.error(`code-server output:\n${server.output()}`);
    throw e;
  } finally {
    await server?.stop().catch(() => {});
    await world?.stop().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
