#!/usr/bin/env node
// Installs, locates and starts the pinned code-server (VS Code in a browser) that hosts the extension offline:
// the integration-test launcher uses it, and so will `npm start`.
//
//   node scripts/code-server.js install     install into .vscode-test/code-server/ (idempotent)
//   node scripts/code-server.js path        print the entry script, exit 1 when not installed
//   node scripts/code-server.js start [DIR] start on 127.0.0.1 (free port) with DIR open, until Ctrl-C
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const CODE_SERVER_VERSION = '4.100.3';
const REPO_ROOT = path.resolve(__dirname, '..');
/** The ripgrep release @vscode/ripgrep's postinstall fetches from GitHub; we seed its cache with Debian's rg instead. */
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
/** Native modules the workbench needs at run time; their absence means an install script silently did not run. */
const NATIVE_ARTIFACTS = [
  'lib/vscode/node_modules/node-pty/build/Release/pty.node',
  'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
  'lib/vscode/node_modules/@vscode/ripgrep/bin/rg',
  'lib/vscode/node_modules.asar',
];
const MARKER = `.installed-${CODE_SERVER_VERSION}`;
/** User settings of a fresh profile: no welcome page, tips or update checks cluttering screenshots or the log. */
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  // VS Code for the Web (code-server) saves after 1 s by default; desktop VS Code, which users run, does not. With
  // it on, an unsaved edit a test makes is written to disk whenever the machine is slow (seen in CI).
  'files.autoSave': 'off',
};

/** Where code-server is cached (git-ignored); GITOPS_DRIFT_CODE_SERVER_DIR overrides it. */
function defaultInstallDir() {
  return process.env.GITOPS_DRIFT_CODE_SERVER_DIR || path.join(REPO_ROOT, '.vscode-test', 'code-server');
}

function packageDir(dir) {
  return path.join(dir, 'node_modules', 'code-server');
}

/** Entry script of a complete install in `dir`, or undefined when it is missing or was interrupted. */
function locateCodeServer(dir = defaultInstallDir()) {
  const entry = path.join(packageDir(dir), 'out', 'node', 'entry.js');
  return fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(entry) ? entry : undefined;
}

function abortError(signal) {
  const reason = signal && signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** Runs a command, appending its output to `logFile`; rejects with the log's tail when it fails. */
function run(cmd, args, { cwd, env, logFile, signal }) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(abortError(signal));
    fs.appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}\n`);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out], signal });
    // 'error' (e.g. abort) can be followed by 'close': close the log once.
    let open = true;
    const closeLog = () => {
      if (open) fs.closeSync(out);
      open = false;
    };
    child.on('error', (err) => {
      closeLog();
      reject(err);
    });
    child.on('close', (code) => {
      closeLog();
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`\`${cmd} ${args.join(' ')}\` failed with exit code ${code} (full log: ${logFile}):\n${tail}`));
    });
  });
}

function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** code-server's postinstall compiles native modules and refuses anything but Node 20: fail early and clearly. */
function checkPrerequisites() {
  const problems = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) problems.push(`code-server ${CODE_SERVER_VERSION} needs Node 20, this is ${process.version}`);
  for (const tool of ['rg', 'make', 'g++', 'python3', 'pkg-config', 'tar']) {
    if (!which(tool)) problems.push(`\`${tool}\` is not on the PATH`);
  }
  if (problems.length) {
    throw new Error(
      `cannot install code-server: ${problems.join('; ')}.\n` +
        'On Debian: apt-get install -y build-essential python3 libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config ripgrep',
    );
  }
}

/** @vscode/ripgrep's postinstall would download rg from GitHub; a tarball in its cache folder makes it offline. */
function seedRipgrepCache(dir) {
  const shrinkwrap = JSON.parse(fs.readFileSync(path.join(packageDir(dir), 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8'));
  const entry = shrinkwrap.packages && shrinkwrap.packages['node_modules/@vscode/ripgrep'];
  if (!entry || !entry.version) throw new Error('cannot find the @vscode/ripgrep version in code-server\'s npm-shrinkwrap.json');
  // Same expression as @vscode/ripgrep's lib/download.js (os.tmpdir() honours TMPDIR, which the child inherits).
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${entry.version}`);
  const asset = path.join(cacheDir, RIPGREP_ASSET);
  if (fs.existsSync(asset)) return asset;
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-seed-'));
  try {
    fs.copyFileSync(fs.realpathSync(which('rg')), path.join(staging, 'rg'));
    fs.chmodSync(path.join(staging, 'rg'), 0o755);
    // The archive must hold `rg` at its root, like the GitHub release asset.
    const tar = spawnSync('tar', ['-czf', `${asset}.tmp`, '-C', staging, 'rg']);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    fs.renameSync(`${asset}.tmp`, asset);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return asset;
}

/**
 * Installs code-server CODE_SERVER_VERSION into `dir` (default .vscode-test/code-server) and returns its entry script.
 * Offline-safe: install without scripts, seed the ripgrep cache, then run the install scripts, verify native
 * modules were built and that the server answers /healthz. Idempotent: a complete install is reused.
 */
async function installCodeServer({ dir = defaultInstallDir(), force = false, log = console.log, signal } = {}) {
  const existing = locateCodeServer(dir);
  if (existing && !force) return existing;
  checkPrerequisites();
  fs.mkdirSync(dir, { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log, signal);
  try {
    // Another process may have finished the install while we waited.
    const done = locateCodeServer(dir);
    if (done && !force) return done;
    return await installUnlocked(dir, log, signal);
  } finally {
    release();
  }
}

/** Holds a lock directory (atomic mkdir) so two runs never npm-install into the same folder at once. */
async function acquireLock(lockDir, log, signal) {
  const owner = path.join(lockDir, 'pid');
  let announced = false;
  for (;;) {
    if (signal && signal.aborted) throw abortError(signal);
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(owner, String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const pid = Number(fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : NaN);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = err.code === 'EPERM';
    }
    // A holder that died (or never wrote its pid, checked after a grace period) leaves a stale lock.
    const age = Date.now() - fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
    if (!alive && (pid > 0 || age > 10000)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`waiting for another code-server install (pid ${pid}) to finish`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function installUnlocked(dir, log, signal) {
  fs.rmSync(path.join(dir, MARKER), { force: true });
  const logFile = path.join(dir, 'install.log');
  fs.writeFileSync(logFile, `code-server ${CODE_SERVER_VERSION} install, ${new Date().toISOString()}\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2) + '\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const env = {
    ...process.env,
    // node-pty's install script runs `npx node-gyp`, which would otherwise prompt.
    npm_config_yes: 'true',
    // code-server's postinstall refuses to run as root without it.
    npm_config_unsafe_perm: 'true',
    // npm 11 skips dependency install scripts not listed in `allowScripts`; postinstall.sh runs nested
    // `npm install`s in lib/vscode whose package.json we do not control. This folder holds only the pinned,
    // shrinkwrapped code-server, so allow its scripts (native builds + ripgrep) to run.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_ignore_scripts: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const started = Date.now();
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${dir} (about 80 s, 300 MB; log: ${logFile})`);
  await run(npm, ['install', '--ignore-scripts', '--save-exact', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env, logFile, signal });
  const asset = seedRipgrepCache(dir);
  log(`  seeded ripgrep cache ${asset}; building native modules`);
  await run(npm, ['rebuild', '--foreground-scripts', '--unsafe-perm'], { cwd: dir, env, logFile, signal });
  const missing = NATIVE_ARTIFACTS.filter((rel) => !fs.existsSync(path.join(packageDir(dir), rel)));
  if (missing.length) {
    throw new Error(`code-server install is incomplete (did its install scripts run?): missing ${missing.join(', ')}; see ${logFile}`);
  }
  const entry = path.join(packageDir(dir), 'out', 'node', 'entry.js');
  const server = await startCodeServer({ entry, signal });
  await server.stop();
  fs.writeFileSync(path.join(dir, MARKER), `${new Date().toISOString()}\n`);
  log(`code-server ${CODE_SERVER_VERSION} installed and verified in ${Math.round((Date.now() - started) / 1000)} s`);
  return entry;
}

/** GET that resolves with the status code (no body), for readiness checks. */
function httpStatus(url, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${url}`)));
    req.on('error', reject);
  });
}

/** The parent's editor session must not leak in: with VSCODE_IPC_HOOK_CLI set code-server opens the folder there. */
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Starts code-server on `host` (a free port unless given) with throw-away user-data and extensions dirs.
 * `env` reaches the extension host (it inherits code-server's environment). Resolves once it listens and
 * answers /healthz. `stop()` ends the whole process group (server, extension host, terminals) and deletes the
 * temp dirs. `output()` returns what it printed so far; `logsDir` holds the workbench's and extension host's logs
 * (output channels included) until stop(). `settings` are merged over DEFAULT_SETTINGS.
 */
async function startCodeServer({
  entry = locateCodeServer(),
  host = '127.0.0.1',
  port = 0,
  env = {},
  workspaceTrust = false,
  settings = {},
  extraArgs = [],
  extensionsDir,
  startTimeoutMs = 60000,
  onOutput,
  signal,
} = {}) {
  if (!entry) throw new Error('code-server is not installed: run `node scripts/code-server.js install`');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-code-server-'));
  const configFile = path.join(tmp, 'config.yaml');
  // An explicit (empty) config keeps code-server from writing ~/.config/code-server/config.yaml.
  fs.writeFileSync(configFile, '');
  // code-server keeps user settings server-side, in the user-data dir.
  fs.mkdirSync(path.join(tmp, 'user-data', 'User'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'user-data', 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  const args = [
    entry,
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--config', configFile,
    '--user-data-dir', path.join(tmp, 'user-data'),
    '--extensions-dir', extensionsDir || path.join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...extraArgs,
  ];
  // Own process group, so stop() can end everything code-server spawned.
  const child = spawn(process.execPath, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let exited = false;
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    if (onOutput) onOutput(text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const killGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {}
  };
  // If this process dies first (error, Ctrl-C), do not leave a server behind.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  const exitedPromise = new Promise((resolve) => child.on('exit', (code, sig) => {
    exited = true;
    resolve(code === null ? sig : code);
  }));

  const stop = async () => {
    if (!exited) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
      // Children (extension host, ptys) share the group; make sure none lingers.
      killGroup('SIGKILL');
    }
    process.removeListener('exit', onExit);
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`code-server did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
      const onAbort = () => finish(abortError(signal));
      const watch = () => {
        const match = /HTTP server listening on (http:\/\/\S+?)\/?\s/.exec(output);
        if (match) finish(undefined, match[1]);
      };
      function finish(err, value) {
        clearTimeout(timer);
        child.stdout.removeListener('data', watch);
        child.stderr.removeListener('data', watch);
        if (signal) signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value);
      }
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort);
      }
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
      exitedPromise.then((code) => finish(new Error(`code-server exited (${code}) before listening`)));
      watch();
    });
    const status = await httpStatus(`${url}/healthz`);
    if (status !== 200) throw new Error(`code-server /healthz answered ${status}`);
    return { url, port: Number(new URL(url).port), process: child, output: () => output, logsDir: path.join(tmp, 'user-data', 'logs'), stop };
  } catch (err) {
    await stop();
    err.message += `\ncode-server output:\n${output}`;
    throw err;
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'install') {
    await installCodeServer({ force: rest.includes('--force') });
  } else if (command === 'path') {
    const entry = locateCodeServer();
    if (!entry) {
      console.error('code-server is not installed: run `node scripts/code-server.js install`');
      return 1;
    }
    console.log(entry);
  } else if (command === 'start') {
    const entry = await installCodeServer();
    const folder = path.resolve(rest[0] || process.cwd());
    const server = await startCodeServer({ entry, workspaceTrust: true });
    console.log(`code-server ${CODE_SERVER_VERSION}: ${server.url}/?folder=${encodeURIComponent(folder)}  (Ctrl-C stops it)`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      server.process.once('exit', resolve);
    });
    await server.stop();
  } else {
    console.error('usage: node scripts/code-server.js install [--force] | path | start [FOLDER]');
    return 2;
  }
  return 0;
}

module.exports = { CODE_SERVER_VERSION, DEFAULT_SETTINGS, defaultInstallDir, locateCodeServer, installCodeServer, startCodeServer };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`code-server: ${err.message}`);
      process.exit(1);
    },
  );
}
