// Mocha runner the VS Code extension host loads (extensionTestsPath). Bundled to out/test/index.js (or
// out/test/integration/index.js); the suites are bundled as out/test/integration/**/*.test.js, found with
// readdirSync so no glob dependency is needed.
// Mocha itself stays external and resolves from the repo's node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';

type MochaCtor = new (options: Record<string, unknown>) => {
  addFile(file: string): void;
  run(done: (failures: number) => void): unknown;
};

/** Mocha 12 is ESM with a CJS build: require(esm) (Node >= 20.19) gives a namespace, older hosts need the .cjs file. */
function loadMocha(): MochaCtor {
  let mod: any;
  try {
    mod = require('mocha');
  } catch (err: any) {
    if (err?.code !== 'ERR_REQUIRE_ESM') throw err;
    mod = require('mocha/lib/mocha.cjs');
  }
  return (mod.default ?? mod) as MochaCtor;
}

/** Suite files under `dir` (recursively), sorted so runs are reproducible. */
export function findSuites(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The suites sit in `integration/` beside the runner (out/test/index.js), or beside it when it is bundled there. */
function suitesDir(): string {
  const nested = path.join(__dirname, 'integration');
  return fs.existsSync(nested) ? nested : __dirname;
}

/**
 * Entry point called by the extension host. GITOPS_DRIFT_TEST_GREP narrows the run to matching test titles.
 * Rejects when a test fails, which makes the host exit non-zero.
 */
export function run(): Promise<void> {
  const dir = suitesDir();
  const suites = findSuites(dir);
  if (suites.length === 0) return Promise.reject(new Error(`no integration suites (*.test.js) in ${dir}`));
  // Failure stacks then point into the TypeScript sources when the bundles carry source maps.
  process.setSourceMapsEnabled(true);
  const Mocha = loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // The output reaches a terminal through the launcher, not a tty, so ask for colours explicitly.
    color: true,
    timeout: Number(process.env.GITOPS_DRIFT_TEST_TIMEOUT_MS) || 60000,
    ...(process.env.GITOPS_DRIFT_TEST_GREP ? { grep: process.env.GITOPS_DRIFT_TEST_GREP } : {}),
    // GITOPS_DRIFT_TEST_INVERT=1 runs the tests that do not match (suites that need another host setup).
    ...(process.env.GITOPS_DRIFT_TEST_INVERT === '1' ? { invert: true } : {}),
  });
  for (const file of suites) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

/**
 * Asks the launcher for a PNG of the workbench, saved as `<screenshots dir>/<name>.png`, and waits until it exists.
 * Works under scripts/run-integration.js (which sets GITOPS_DRIFT_TEST_SCREENSHOTS_DIR); elsewhere it only logs.
 * Suites (test/integration/*.test.ts) import it from './index'; this module has no side effects on import.
 */
export async function screenshot(name: string, timeoutMs = 10000): Promise<string | undefined> {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = process.env.GITOPS_DRIFT_TEST_SCREENSHOTS_DIR;
  const file = dir ? path.join(dir, `${safe}.png`) : undefined;
  if (file) fs.rmSync(file, { force: true });
  console.log(`##screenshot ${safe}`);
  if (!file) return undefined;
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`screenshot ${safe} was not saved within ${timeoutMs} ms (${file})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return file;
}
