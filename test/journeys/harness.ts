// The journey world: the demo world (emulator or real kube-apiserver + simulated Argo CD and Flux + demo repo),
// code-server with the extension under development, and a headless Chromium page showing the workbench. The
// journeys act only through that page (and, as a person in a terminal would, kubectl and git).
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type DemoWorld, startDemoWorld } from '../emulator/demo/start-demo-world';
import type { KubeBackend } from '../backend/testCluster';
import { Workbench } from './workbench';
import { pinnedToolSettings } from '../cluster/tools';

const codeServer = require('../../scripts/code-server.js');
const { DEFAULT_CHROMIUM, CHROMIUM_ARGS, VIEWPORT } = require('../../scripts/run-integration.js');

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'test-results', 'journeys');

export interface JourneyWorld {
  world: DemoWorld;
  /** The workbench URL (folder = the demo repo, the extension under development loaded). */
  url: string;
  browser: Browser;
  page: Page;
  wb: Workbench;
  /** code-server's output so far (for failure reports). */
  serverOutput(): string;
  /** The extension's own Output channel ("GitOps Drift") so far, for failure reports ('' when not readable). */
  extensionLog(): string;
  stop(): Promise<void>;
}

export interface JourneyWorldOptions {
  backend?: KubeBackend;
  /** Chromium's remote-debugging port (for `--serve`, to inspect the page while writing journeys). */
  debugPort?: number;
  log?: (line: string) => void;
}

/** Starts everything the journeys need; `stop()` ends it all. */
export async function startJourneyWorld(opts: JourneyWorldOptions = {}): Promise<JourneyWorld> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-journeys-'));
  const stops: (() => Promise<unknown>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    // Controller periods short enough for a test, long enough that a person could see each state.
    const world = await startDemoWorld({ dir, backend: opts.backend, timing: { pollMs: 100, reconcileIntervalMs: 1000, selfHealDelayMs: 1500 } });
    stops.push(() => world.stop());
    // Capture commits need an identity, as on a user's machine.
    for (const [k, v] of [['user.email', 'sre@example.test'], ['user.name', 'Journey SRE']]) execFileSync('git', ['config', k, v], { cwd: world.repoDir });
    await addProductionDestination(world);
    log(`[journeys] demo world on the ${world.backend === 'real' ? 'real kube-apiserver' : 'emulator'}: ${world.repoDir}`);

    const entry = codeServer.locateCodeServer() ?? (await codeServer.installCodeServer({ log }));
    const server = await codeServer.startCodeServer({
      entry,
      env: { KUBECONFIG: world.kubeconfigPath },
      workspaceTrust: false,
      settings: {
        'workbench.startupEditor': 'none',
        // Screenshots should show what a person sees, without first-run chrome.
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.layoutControl.enabled': false,
        'editor.minimap.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        // The emulator and controllers listen on loopback ports: no "ports forwarded" toasts over the journeys.
        'remote.autoForwardPorts': false,
        // The demo's HelmRelease renders with the pinned helm (the extension host does not inherit .tools/bin on PATH).
        ...pinnedToolSettings(),
      },
    });
    stops.push(() => server.stop());
    const host = new URL(server.url).host;
    const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${host}${REPO_ROOT}`]]);
    const url = `${server.url}/?folder=${encodeURIComponent(world.repoDir)}&payload=${encodeURIComponent(payload)}`;

    const { chromium } = require('playwright-core');
    const executablePath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
    assert.ok(fs.existsSync(executablePath), `no chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`);
    const browser: Browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...(opts.debugPort ? [`--remote-debugging-port=${opts.debugPort}`] : [])] });
    stops.push(() => browser.close());
    // Taller than the integration harness's window: the journeys find rows in the DOM, and the tree draws only the
    // rows in view; the demo world's expanded tree fits in 1,300 px.
    const context = await browser.newContext({ viewport: { ...VIEWPORT, height: Math.max(VIEWPORT.height, 1300) } });
    // Clipboard for "copy" style actions and a stable permission state.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url }).catch(() => {});
    const page = await context.newPage();
    const wb = new Workbench(page, { screenshotsDir: SCREENSHOTS_DIR, log });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return { world, url, browser, page, wb, serverOutput: () => server.output(), extensionLog: () => outputChannelLog(server.logsDir, 'GitOps Drift'), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The app of journey (b): listed in the demo cluster, deploying to the production cluster `prod-eu`. */
export const PROD_APP = { name: 'billing-eu', namespace: 'billing-eu', context: 'prod-eu' };

/**
 * Hub and spoke, as a platform team runs it: the kubeconfig gains a context `prod-eu` (here the same API server
 * under another name) and Argo CD in the demo cluster gets an Application deploying there by cluster name, synced by
 * hand. Its objects are read through `prod-eu`, whose name matches the default production pattern.
 */
async function addProductionDestination(world: DemoWorld): Promise<void> {
  const kc = (args: string[], input?: string) => kubectlIn(world.kubeconfigPath, args, { input });
  const current = JSON.parse(await kc(['config', 'view', '--minify', '-o', 'json'])).contexts[0].context;
  await kc(['config', 'set-context', PROD_APP.context, `--cluster=${current.cluster}`, `--user=${current.user}`]);
  const app = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: PROD_APP.name, namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: world.repo.repoURL, targetRevision: 'main', path: 'teams/billing' },
      destination: { name: PROD_APP.context, namespace: PROD_APP.namespace },
      syncPolicy: { syncOptions: ['CreateNamespace=true'] },
    },
  };
  await kc(['apply', '--server-side', '-f', '-'], JSON.stringify(app));
  await until('the prod-eu Application to be compared by Argo CD', async () => JSON.parse(await kc(['-n', 'argocd', 'get', 'application', PROD_APP.name, '-o', 'json'])).status?.sync?.status, 60_000);
}

/**
 * Attaches to a world started by `tsx scripts/journeys.ts --serve` (its serve.json): for writing journeys against a
 * running workbench. `stop()` only disconnects.
 */
export async function attachJourneyWorld(file: string, opts: { log?: (line: string) => void } = {}): Promise<JourneyWorld> {
  const info = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { chromium } = require('playwright-core');
  const browser: Browser = await chromium.connectOverCDP(info.cdp);
  const page = browser.contexts()[0].pages()[0];
  const wb = new Workbench(page, { screenshotsDir: SCREENSHOTS_DIR, log: opts.log ?? ((l: string) => console.log(l)) });
  const world = { kubeconfigPath: info.kubeconfigPath, repoDir: info.repoDir, scenarios: info.scenarios, backend: info.backend, contextName: info.contextName } as DemoWorld;
  return { world, url: info.url, browser, page, wb, serverOutput: () => '', extensionLog: () => '', stop: async () => {} };
}

/**
 * kubectl (the pinned one from .tools/bin, first on PATH). Asynchronous: the emulator answers from this very
 * process, so a blocking call would wait for a server that cannot run.
 */
async function kubectlIn(kubeconfig: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  const run = promisify(execFile);
  if (opts.input === undefined) return (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 60_000 })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    child.stdin!.end(opts.input);
  });
}

/** kubectl against the journey world, as a person runs it in a terminal (`env` e.g. a scripted EDITOR). */
export function kubectl(w: JourneyWorld, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return kubectlIn(w.world.kubeconfigPath, args, { env });
}

export async function kubectlJson(w: JourneyWorld, args: string[]): Promise<any> {
  return JSON.parse(await kubectl(w, [...args, '-o', 'json']));
}

/** git in the demo repository, as the user would run it in a terminal. */
export function git(w: JourneyWorld, args: string[]): string {
  return execFileSync('git', args, { cwd: w.world.repoDir, encoding: 'utf8', timeout: 30_000 }).trim();
}

/** Polls a condition outside the browser (cluster or repository state) until it holds. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The text of the output channel named `name` (the newest window's), from code-server's logs dir. */
function outputChannelLog(logsDir: string, name: string): string {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log') && e.name.includes(name)) found.push(p);
    }
  };
  try {
    walk(logsDir);
  } catch {
    return '';
  }
  return found.map((f) => ({ f, t: fs.statSync(f).mtimeMs })).sort((x, y) => x.t - y.t).map(({ f }) => fs.readFileSync(f, 'utf8')).join('\n');
}
