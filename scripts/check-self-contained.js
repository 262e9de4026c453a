#!/usr/bin/env node
// Lint rule: the repository must run and test with nothing beside it. Fails when a tracked file outside the vendored
// fixtures (and their SOURCES / notice files) refers to the team's reference folder next to the clone.
// Usage: node scripts/check-self-contained.js  (exits 1 and names each file and line)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

// Built from pieces so this file does not match itself.
const SIBLING = ['\\.\\.', 'shared'].join('/');
const PATTERN = new RegExp(`${SIBLING}(?![\\w-])|/${'shared'}/(crds|fixtures|reference|hooks)\\b`);

/** Paths (relative, forward slashes) that may name the folder: vendored data and its provenance files. */
function isExempt(rel) {
  return rel.startsWith('test/fixtures/') || /(^|\/)(SOURCES[^/]*|THIRD_PARTY_NOTICES[^/]*|NOTICE[^/]*)$/.test(rel);
}

function trackedFiles(root) {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    return out.split('\0').filter(Boolean);
  } catch {
    // Not a Git checkout (an unpacked archive): walk the tree instead.
    const files = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        if (['node_modules', '.git', 'dist', '.vscode-test', '.tools', 'test-results', '.bench'].includes(e.name)) continue;
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) walk(rel);
        else if (e.isFile()) files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

/** Every `file:line: text` that refers to the sibling reference folder. */
function findReferences(root, files = trackedFiles(root)) {
  const hits = [];
  for (const rel of files) {
    if (isExempt(rel)) continue;
    let text;
    try {
      text = fs.readFileSync(path.join(root, rel), 'utf8');
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    if (text.includes('\0')) continue; // binary
    text.split('\n').forEach((line, i) => {
      if (PATTERN.test(line)) hits.push(`${rel}:${i + 1}: ${line.trim().slice(0, 160)}`);
    });
  }
  return hits;
}

module.exports = { findReferences, isExempt, PATTERN };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const hits = findReferences(root);
  if (hits.length) {
    console.error(`These files refer to a folder beside the repository, which a user's clone does not have.\nCopy what they need into the repository (test/fixtures/, with SOURCES.md) and point them there:\n  ${hits.join('\n  ')}`);
    process.exit(1);
  }
}
