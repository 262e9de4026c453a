// `npm run test:journeys`: user journeys through the real workbench. Builds the extension, starts the demo world
// (KUBE_BACKEND=emulator|real), code-server with the extension and headless Chromium, then runs the journeys in
// test/journeys/*.journey.ts with mocha. The journeys act only through the DOM (clicks, keys, menus, dialogs), as a
// person does; screenshots of every step land in test-results/journeys/.
//
//   tsx scripts/journeys.ts [--grep PATTERN] [--bail]
//   tsx scripts/journeys.ts --serve    start everything and keep it running (Chromium's DevTools on port 9333, the
//                                      world described in test-results/journeys/serve.json), for writing journeys;
//   GITOPS_DRIFT_JOURNEY_ATTACH=test-results/journeys/serve.json tsx scripts/journeys.ts --grep X   runs journeys there
import '../test/backend/pinnedTools';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { kubeBackend } from '../test/backend/testCluster';
import { attachJourneyWorld, SCREENSHOTS_DIR, startJourneyWorld } from '../test/journeys/harness';
import { setJourneyWorld } from '../test/journeys/current';

const repoRoot = path.resolve(__dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const started = Date.now();
  execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.js')], { stdio: 'inherit', cwd: repoRoot });
  const attach = process.env.GITOPS_DRIFT_JOURNEY_ATTACH;
  if (!attach) {
    fs.rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  }
  const backend = kubeBackend();
  const jw = attach ? await attachJourneyWorld(attach) : await startJourneyWorld({ backend, debugPort: process.argv.includes('--serve') ? 9333 : undefined });
  let code = 1;
  try {
    if (process.argv.includes('--serve')) {
      fs.writeFileSync(path.join(SCREENSHOTS_DIR, 'serve.json'), JSON.stringify({ url: jw.url, cdp: 'http://127.0.0.1:9333', kubeconfigPath: jw.world.kubeconfigPath, repoDir: jw.world.repoDir, scenarios: jw.world.scenarios, backend: jw.world.backend, contextName: jw.world.contextName }, null, 2));
      console.log(`[journeys] serving ${jw.url}\n  kubeconfig ${jw.world.kubeconfigPath}\n  Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return 0;
    }
    setJourneyWorld(jw);
    const mocha = new Mocha({ timeout: 5 * 60_000, slow: 60_000, bail: process.argv.includes('--bail'), grep: arg('grep') ?? process.env.GITOPS_DRIFT_JOURNEY_GREP });
    const dir = path.join(repoRoot, 'test', 'journeys');
    // A failed step leaves a picture of what the person would have seen.
    mocha.suite.afterEach(async function () {
      if (this.currentTest?.state !== 'failed') return;
      await jw.wb.screenshot('FAILED').catch(() => {});
      // And the notification center (toasts hide themselves; the center keeps every message of the window).
      if (await jw.wb.showNotificationCenter().then(() => true, () => false)) await jw.wb.screenshot('FAILED-notification-center').catch(() => {});
    });
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.journey.ts')).sort()) mocha.addFile(path.join(dir, f));
    await mocha.loadFilesAsync();
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    code = failures ? 1 : 0;
    if (jw.wb.issues.length) console.log(`[journeys] product issues worked around (see the screenshots):\n${jw.wb.issues.map((i) => `  - ${i}`).join('\n')}`);
    if (failures) {
      console.error(`[journeys] code-server output (tail):\n${jw.serverOutput().split('\n').slice(-40).join('\n')}`);
      console.error(`[journeys] the extension's Output channel (tail):\n${jw.extensionLog().split('\n').slice(-80).join('\n')}`);
    }
  } finally {
    await jw.stop();
  }
  console.log(`[journeys] ${backend} backend, ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${path.relative(process.cwd(), SCREENSHOTS_DIR)}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(2);
  },
);
