#!/usr/bin/env node
// Runs the integration suites inside a real VS Code, offline: code-server hosts the workbench and the extension
// host, headless Debian chromium (via playwright-core) opens it with the extension under development and the
// mocha runner passed in the URL payload; the runner's result arrives through `codeAutomationExit`.
//
//   node scripts/run-integration.js [--workspace DIR] [--extension-path DIR] [--tests-path FILE]
//        [--screenshots DIR] [--timeout SECONDS] [--workspace-trust] [--grep PATTERN] [--env NAME=VALUE]... [--verbose]
//
// Exit code: the tests' (0 pass, 1 fail), 2 when the harness itself failed (timeout, crash, missing build).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { installCodeServer, locateCodeServer, startCodeServer } = require('./code-server.js');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWPORT = { width: 1400, height: 900 };
const SCREENSHOT_MARK = /##screenshot\s+(\S+)/;
const HARNESS_FAILURE = 2;

class HarnessError extends Error {}

function sanitize(name) {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Log arguments arrive as console.log would get them (mocha prints with %s/%d); %c styling is dropped. */
function formatLogArgs(args) {
  return util.format(...(Array.isArray(args) ? args : [args]));
}

/**
 * Lines hidden unless --verbose: offline marketplace lookups that fail on every start, and the workbench's
 * connection chatter, which would bury the test output and real errors.
 */
const NOISE = /open-vsx\.org|ERR_NAME_NOT_RESOLVED|Failed to load resource|^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\]|ChatSessionStore:)/;

/** The bundled mocha runner: out/test/index.js, or out/test/integration/index.js when esbuild keeps the folder. */
function defaultTestsPath() {
  const candidates = ['index.js', 'integration/index.js'].map((rel) => path.join(REPO_ROOT, 'out', 'test', rel));
  return candidates.find((file) => fs.existsSync(file)) || candidates[0];
}

/** Workbench URL that opens `workspace` and runs the tests at `testsPath` for the extension at `extensionPath`. */
function workbenchUrl(serverUrl, { workspace, extensionPath, testsPath }) {
  const remote = (p) => `vscode-remote://${new URL(serverUrl).host}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  return `${serverUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Runs the suites once and resolves with the exit code (0 passed, 1 failed, 2 harness failure).
 * `env` is set on code-server, whose extension host inherits it (e.g. KUBECONFIG of an emulator); `settings` are
 * user settings merged over code-server.js DEFAULT_SETTINGS.
 */
async function runIntegration({
  workspace,
  env = {},
  extensionPath = REPO_ROOT,
  testsPath = defaultTestsPath(),
  screenshotsDir = path.join(REPO_ROOT, 'test-results'),
  timeoutMs = 10 * 60 * 1000,
  workspaceTrust = false,
  settings = {},
  grep,
  chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM,
  verbose = Boolean(process.env.GITOPS_DRIFT_TEST_VERBOSE),
  log = (line) => console.log(line),
  signal,
} = {}) {
  const cleanups = [];
  let server;
  let page;
  let failed = true;
  const screenshot = async (name) => {
    if (!page) return;
    const file = path.join(screenshotsDir, `${sanitize(name)}.png`);
    // Write then rename, so a test polling for the file never sees half a PNG.
    fs.writeFileSync(`${file}.tmp`, await page.screenshot());
    fs.renameSync(`${file}.tmp`, file);
    log(`[harness] screenshot ${path.relative(process.cwd(), file) || file}`);
  };
  try {
    extensionPath = path.resolve(extensionPath);
    testsPath = path.resolve(testsPath);
    screenshotsDir = path.resolve(screenshotsDir);
    if (!fs.existsSync(path.join(extensionPath, 'package.json'))) throw new HarnessError(`no extension at ${extensionPath} (package.json missing)`);
    if (!fs.existsSync(testsPath)) throw new HarnessError(`test runner ${testsPath} does not exist: build it first (node esbuild.js)`);
    if (!fs.existsSync(chromiumPath)) throw new HarnessError(`no chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
    if (workspace) {
      workspace = path.resolve(workspace);
      if (!fs.statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) throw new HarnessError(`workspace ${workspace} is not a folder`);
    } else {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-workspace-'));
      const created = workspace;
      cleanups.push(() => fs.rmSync(created, { recursive: true, force: true }));
    }
    fs.mkdirSync(screenshotsDir, { recursive: true });

    const entry = locateCodeServer() || (await installCodeServer({ log, signal }));
    server = await startCodeServer({
      entry,
      workspaceTrust,
      settings,
      signal,
      env: {
        ...env,
        GITOPS_DRIFT_TEST_SCREENSHOTS_DIR: screenshotsDir,
        ...(grep ? { GITOPS_DRIFT_TEST_GREP: grep } : {}),
      },
    });
    log(`[harness] code-server ${server.url}, workspace ${workspace}`);

    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close().catch(() => {}));
    const context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();

    let settle;
    const outcome = new Promise((resolve) => (settle = resolve));
    // Screenshots are taken one at a time, in the order the tests asked for them.
    let screenshots = Promise.resolve();
    const onLine = (line) => {
      log(line);
      const mark = SCREENSHOT_MARK.exec(line);
      if (mark) {
        screenshots = screenshots
          .then(() => new Promise((r) => setTimeout(r, 250))) // let the workbench paint what the test just did
          .then(() => screenshot(mark[1]))
          .catch((err) => log(`[harness] screenshot ${mark[1]} failed: ${err.message}`));
      }
    };
    // Both must exist before the workbench loads: it checks for them at startup.
    // VS Code reports the extension host's console (the mocha reporter) and its own errors through this.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = formatLogArgs(args);
      if (!verbose && NOISE.test(text)) return;
      onLine(type === 'error' || type === 'warn' ? `[vscode ${type}] ${text}` : text);
    });
    await page.exposeFunction('codeAutomationExit', (code) => settle({ code: Number.isInteger(code) ? code : 1 }));
    // codeAutomationLog already carries the extension host's output and VS Code's errors; the page console
    // repeats them, so it is shown only when asked for (e.g. to debug a workbench that never starts the tests).
    if (verbose) page.on('console', (msg) => log(`[workbench ${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => log(`[workbench pageerror] ${err.message}`));
    page.on('crash', () => settle({ error: 'the workbench page crashed' }));
    browser.on('disconnected', () => settle({ error: 'chromium disconnected' }));
    server.process.on('exit', (code) => settle({ error: `code-server exited (${code}) during the run` }));
    const timer = setTimeout(() => settle({ error: `integration tests did not finish within ${Math.round(timeoutMs / 1000)} s (--verbose shows the workbench console)` }), timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    const onAbort = () => settle({ error: 'aborted' });
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal && signal.removeEventListener('abort', onAbort));

    const url = workbenchUrl(server.url, { workspace, extensionPath, testsPath });
    log(`[harness] opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const result = await outcome;
    await screenshots;
    if (result.error) throw new HarnessError(result.error);
    failed = result.code !== 0;
    log(`[harness] tests ${failed ? `failed (exit code ${result.code})` : 'passed'}`);
    return result.code;
  } catch (err) {
    log(`[harness] ${err instanceof HarnessError ? '' : 'error: '}${err && err.message}`);
    return HARNESS_FAILURE;
  } finally {
    if (page) await screenshot('final').catch((err) => log(`[harness] final screenshot failed: ${err.message}`));
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (server) {
      if (failed) log(`[harness] code-server output:\n${server.output()}`);
      await server.stop();
    }
  }
}

function parseArgs(argv) {
  const options = { env: {} };
  const value = (i, flag) => {
    if (i >= argv.length) throw new HarnessError(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--workspace') options.workspace = value(++i, flag);
    else if (flag === '--extension-path') options.extensionPath = value(++i, flag);
    else if (flag === '--tests-path') options.testsPath = value(++i, flag);
    else if (flag === '--screenshots') options.screenshotsDir = value(++i, flag);
    else if (flag === '--timeout') options.timeoutMs = Number(value(++i, flag)) * 1000;
    else if (flag === '--grep') options.grep = value(++i, flag);
    else if (flag === '--workspace-trust') options.workspaceTrust = true;
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--env') {
      const pair = value(++i, flag);
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new HarnessError(`--env expects NAME=VALUE, got ${pair}`);
      options.env[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else throw new HarnessError(`unknown argument ${flag}`);
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new HarnessError('--timeout expects seconds > 0');
  return options;
}

module.exports = { runIntegration, defaultTestsPath, workbenchUrl, formatLogArgs, DEFAULT_CHROMIUM, CHROMIUM_ARGS, VIEWPORT };

if (require.main === module) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`run-integration: ${err.message}`);
    process.exit(HARNESS_FAILURE);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  runIntegration({ ...options, signal: controller.signal }).then((code) => process.exit(code));
}
