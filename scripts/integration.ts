// `npm run test:integration`: starts the demo world (API emulator + simulated Argo CD and Flux + demo Git repo),
// then runs the integration suites inside a real VS Code (code-server) with that repo as the workspace and the
// world's kubeconfig in the extension host's environment. Exit code: the suites' (0 pass, 1 fail, 2 harness).
import '../test/backend/pinnedTools';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDemoWorld } from '../test/emulator/demo/start-demo-world';
import { pinnedToolSettings } from '../test/cluster/tools';
import { runIntegration } from './run-integration';

/** Title marker of the suite that needs a window where the workspace is not trusted. */
const UNTRUSTED = '@untrusted';

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-drift-it-'));
  const world = await startDemoWorld({ dir, timing: { pollMs: 100, reconcileIntervalMs: 1000, selfHealDelayMs: 1500 } });
  // The tests' git commits need an identity, as a user's machine has.
  for (const [k, v] of [['user.email', 'sre@example.test'], ['user.name', 'Test SRE']]) {
    require('node:child_process').execFileSync('git', ['config', k, v], { cwd: world.repoDir });
  }
  console.log(`integration world on the ${world.backend === 'real' ? 'real kube-apiserver' : 'emulator'}: ${world.repoDir} (kubeconfig ${world.kubeconfigPath})`);
  try {
    const common = {
      workspace: world.repoDir,
      env: {
        KUBECONFIG: world.kubeconfigPath,
        GITOPS_DRIFT_TEST_WORLD: JSON.stringify({ kubeconfigPath: world.kubeconfigPath, repoDir: world.repoDir, scenarios: world.scenarios, contextName: world.contextName, backend: world.backend }),
      },
      screenshotsDir: path.resolve(__dirname, '..', 'test-results'),
      timeoutMs: 15 * 60_000,
      // The demo's HelmRelease renders with the pinned helm (the extension host does not inherit .tools/bin on PATH).
      settings: pinnedToolSettings(),
    };
    const only = process.env.GITOPS_DRIFT_TEST_GREP;
    // Everything but the untrusted-workspace suite runs in a trusted window; that suite then runs in a window
    // with workspace trust enforced (a second host: trust is decided when the window opens).
    const trusted = await runIntegration({ ...common, grep: only ?? UNTRUSTED, env: { ...common.env, ...(only ? {} : { GITOPS_DRIFT_TEST_INVERT: '1' }) } });
    if (only) return trusted;
    console.log('\nintegration: untrusted workspace');
    const untrusted = await runIntegration({ ...common, grep: UNTRUSTED, workspaceTrust: true });
    return Math.max(trusted, untrusted);
  } finally {
    await world.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(2);
  },
);
