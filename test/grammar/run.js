#!/usr/bin/env node
// Runs the grammar tests: VS Code's YAML grammars (test/grammar/base) plus the GitOps injection from
// syntaxes/, over test/grammar/**/*.test.yaml, then differential.js. Exits non-zero on any failure.
// Usage: node test/grammar/run.js [test files...]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '../..');
const baseDir = path.join(__dirname, 'base');
const files = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.yaml')).map((f) => path.join('test/grammar', f));

// vscode-tmgrammar-test 0.1.3 loops forever on an assertion with two `- scope` clauses
// (`^ a - b - c`); the supported form is one clause listing every prohibited scope (`^ a - b c`).
const bad = [];
for (const file of files) {
  fs.readFileSync(path.resolve(root, file), 'utf8').split('\n').forEach((line, i) => {
    if (/^##\s*[\^<]/.test(line) && (line.match(/ - /g) ?? []).length > 1) bad.push(`${file}:${i + 1}`);
  });
}
if (bad.length > 0) {
  console.error(`Assertions with more than one "- scope" clause (merge them into one): ${bad.join(', ')}`);
  process.exit(1);
}

const grammars = fs.readdirSync(baseDir).filter((f) => f.endsWith('.tmLanguage.json')).sort()
  .flatMap((f) => ['-g', path.join('test/grammar/base', f)]);
// package.json contributes the injection with injectTo source.yaml, which is what makes it apply.
const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js');
const result = spawnSync(process.execPath, [cli, '-c', '--config', 'package.json', ...grammars,
  '-g', 'syntaxes/gitops-yaml.injection.tmLanguage.json', ...files], { cwd: root, stdio: 'inherit', timeout: 120_000 });
if (result.error) console.error(`grammar tests did not finish: ${result.error.message}`);
if (result.status !== 0) process.exit(1);
// Then: the injection leaves every YAML scope of every real fixture unchanged.
const diff = spawnSync(process.execPath, [path.join(__dirname, 'differential.js')], { cwd: root, stdio: 'inherit', timeout: 120_000 });
process.exit(diff.status === 0 ? 0 : 1);
