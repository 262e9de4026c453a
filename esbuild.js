// Bundles the extension, the CLI and the integration suites. `--watch` rebuilds on change, `--production` minifies.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

function integrationEntries() {
  const dir = path.join(__dirname, 'test', 'integration');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  // The entry point stays small (activation ≤ 50 ms, issue 16); it loads extension-full.js right after activation.
  { ...common, entryPoints: { extension: 'src/extension/entry.ts' }, outdir: 'dist', external: ['vscode', './extension-full.js'] },
  { ...common, entryPoints: { 'extension-full': 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...common, entryPoints: { cli: 'src/cli/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common,
    entryPoints: integrationEntries(),
    outbase: 'test',
    outdir: 'out/test',
    // mocha and vscode come from the host / node_modules at run time.
    external: ['vscode', 'mocha'],
  },
];

async function main() {
  // Stale suites from renamed or deleted files would otherwise still run.
  fs.rmSync(path.join(__dirname, 'out', 'test'), { recursive: true, force: true });
  if (watch) {
    for (const b of builds) (await esbuild.context(b)).watch();
    console.log('esbuild: watching');
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (fs.existsSync('src/cli/cli.ts')) fs.chmodSync('dist/cli.js', 0o755);
  const size = (f) => `${(fs.statSync(f).size / 1024).toFixed(0)} KiB`;
  console.log(`esbuild: dist/extension.js ${size('dist/extension.js')} (entry) + dist/extension-full.js ${size('dist/extension-full.js')}${production ? ' (production)' : ''}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
