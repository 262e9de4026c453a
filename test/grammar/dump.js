#!/usr/bin/env node
// Prints the scopes of every token of a YAML file with the base YAML grammar and the GitOps
// injection, to help write `^` assertions. Usage: node test/grammar/dump.js <file.yaml>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRegistry } = require('vscode-tmgrammar-test/dist/common/index.js');
const tm = require('vscode-textmate');

const root = path.resolve(__dirname, '../..');
const base = fs.readdirSync(path.join(__dirname, 'base')).filter((f) => f.endsWith('.tmLanguage.json'));
const registry = createRegistry([
  ...base.map((f) => ({ path: path.join(__dirname, 'base', f), scopeName: '' })),
  { path: path.join(root, 'syntaxes/gitops-yaml.injection.tmLanguage.json'), scopeName: 'gitops-drift.yaml.injection', injectTo: ['source.yaml'] },
]);

registry.loadGrammar('source.yaml').then((grammar) => {
  let stack = tm.INITIAL;
  for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    console.log(line);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      console.log(`  ${t.startIndex}-${t.endIndex} ${JSON.stringify(text)} ${t.scopes.slice(1).join(' ')}`);
    }
  }
});
