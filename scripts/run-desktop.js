#!/usr/bin/env node
// Runs the same integration suites in desktop VS Code through @vscode/test-electron (`npm run test:desktop`).
// Needs network access (it downloads VS Code into .vscode-test/) and a display (on Linux CI: xvfb-run -a).
// Offline, use scripts/run-integration.js, which hosts VS Code in code-server instead.
//
//   node scripts/run-desktop.js [--workspace DIR] [--vscode-version VERSION] [--grep PATTERN] [--env NAME=VALUE]...
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DEFAULT_SETTINGS } = require('./code-server.js');
const { defaultTestsPath } = require('./run-integration.js');

const REPO_ROOT = path.resolve(__dirname, '..');
/** Same VS Code as code-server 4.100.3, so both hosts run the suites against one API version. */
const DEFAULT_VSCODE_VERSION = '1.100.3';

function parseArgs(argv) {
  const options = { env: {}, version: DEFAULT_VSCODE_VERSION };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--workspace') options.workspace = path.resolve(value());
    else if (flag === '--vscode-version') options.version = value();
    else if (flag === '--grep') options.env.GITOPS_DRIFT_TEST_GREP = value();
    else if (flag === '--env') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`--env expects NAME=VALUE, got ${pair}`);
      options.env[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else throw new Error(`unknown argument ${flag}`);
  }
  return options;
}

async function main() {
  const { runTests } = require('@vscode/test-electron');
  const options = parseArgs(process.argv.slice(2));
  const testsPath = defaultTestsPath();
  if (!fs.existsSync(testsPath)) throw new Error(`test runner ${testsPath} does not exist: build it first (node esbuild.js)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-desktop-'));
  const workspace = options.workspace || path.join(tmp, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  // A fresh profile with the same settings code-server runs get.
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(DEFAULT_SETTINGS, null, 2));
  try {
    return await runTests({
      version: options.version,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: testsPath,
      extensionTestsEnv: options.env,
      // runTests already adds --disable-workspace-trust, --skip-welcome and friends.
      launchArgs: [
        workspace,
        // Only the extension under test: other installed extensions would change what the suites see.
        '--disable-extensions',
        `--user-data-dir=${userData}`,
      ],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`run-desktop: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
