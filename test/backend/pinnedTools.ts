// Loaded first by the test runners and the demo scripts (`mocha --require`, imports in scripts/): puts .tools/bin
// (kubectl, kustomize, helm of the pinned release, built by `npm run tools`) first on PATH, so tests, the demo
// world and the extension host they start use those and not whatever kubectl the machine happens to have.
import * as fs from 'node:fs';
import { envWithTools, toolsBinDir } from '../cluster/tools';

if (fs.existsSync(toolsBinDir())) {
  process.env.PATH = envWithTools(process.env).PATH;
} else if (process.env.CI) {
  throw new Error(`${toolsBinDir()} is missing: run \`npm run tools\` first (CI must test with the pinned toolchain).`);
}
