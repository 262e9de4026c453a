#!/usr/bin/env node
// "Never break normal YAML highlighting", checked on every real fixture: tokenizes each YAML file under
// test/fixtures/real-repos with VS Code's YAML grammar alone and with the GitOps injection, and fails if
// any character's YAML scopes differ once the injection's own scopes are removed.
// Usage: node test/grammar/differential.js  (exits 1 on a difference)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const tm = require('vscode-textmate');
const { createRegistry } = require('vscode-tmgrammar-test/dist/common/index.js');

const root = path.resolve(__dirname, '../..');
const fixtures = path.resolve(root, 'test/fixtures/real-repos');
const base = fs.readdirSync(path.join(__dirname, 'base')).filter((f) => f.endsWith('.tmLanguage.json'))
  .map((f) => ({ path: path.join(__dirname, 'base', f), scopeName: '' }));
const injection = { path: path.join(root, 'syntaxes/gitops-yaml.injection.tmLanguage.json'),
  scopeName: 'gitops-drift.yaml.injection', injectTo: ['source.yaml'] };
const isInjected = (scope) => scope.includes('gitops');

function yamlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** Per line, per character: the scope list (without injected scopes), plus how many injected tokens there were. */
function scopesPerChar(grammar, text) {
  let stack = tm.INITIAL;
  let injected = 0;
  const out = text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const chars = [];
    for (const t of r.tokens) {
      if (t.scopes.some(isInjected)) injected++;
      const s = t.scopes.filter((x) => !isInjected(x)).join(' ');
      // Only visible characters: the tokenizer's last token may or may not cover the implicit newline.
      for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) chars[i] = s;
    }
    return chars;
  });
  return { out, injected };
}

async function main() {
  const plain = await createRegistry(base).loadGrammar('source.yaml');
  const withInjection = await createRegistry([...base, injection]).loadGrammar('source.yaml');
  const files = yamlFiles(fixtures);
  let injectedTokens = 0;
  const differences = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const a = scopesPerChar(plain, text).out;
    const b = scopesPerChar(withInjection, text);
    injectedTokens += b.injected;
    for (let l = 0; l < a.length && differences.length < 20; l++) {
      const col = a[l].findIndex((s, i) => s !== b.out[l][i]);
      if (col >= 0 || a[l].length !== b.out[l].length) {
        differences.push(`${path.relative(fixtures, file)}:${l + 1}:${col + 1}\n  yaml only: ${a[l][col]}\n  injected:  ${b.out[l][col]}`);
      }
    }
  }
  if (files.length === 0) throw new Error(`no YAML fixtures under ${fixtures}`);
  if (injectedTokens === 0) throw new Error('the injection added no scope to any fixture: it is not being applied');
  if (differences.length > 0) {
    console.error(`YAML scopes changed by the injection:\n${differences.join('\n')}`);
    process.exit(1);
  }
  console.log(`✓ ${files.length} fixture YAML files: YAML scopes identical with the injection (${injectedTokens} tokens got GitOps scopes)`);
}

main().catch((err) => { console.error(err); process.exit(1); });
