// A scripted editor for `kubectl edit` (no vscode import, so plain Node scripts can use it too).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Plain JavaScript run by node as $EDITOR on the YAML kubectl opens (kubectl's style: list items at the key's
// indentation, keys sorted). Kept as text: a bundled function's toString() would carry bundler helpers.
const SCRIPT = String.raw`
const fs = require('fs');
const o = JSON.parse(process.env.GITOPS_DRIFT_EDIT);
const f = process.argv[2];
const lines = fs.readFileSync(f, 'utf8').split('\n');
const indent = (l) => l.search(/\S/);
for (let i = 0; i < lines.length; i++) if (/^  replicas: \d+$/.test(lines[i])) lines[i] = '  replicas: ' + o.replicas;
const ci = lines.findIndex((l) => /^\s*containers:\s*$/.test(l));
let ni = ci + 1;
while (ni < lines.length && !new RegExp('^\\s*(- )?name: ' + o.container + '$').test(lines[ni])) ni++;
if (ci < 0 || ni >= lines.length) throw new Error('container ' + o.container + ' not found');
const col = lines[ni].match(/^(\s*)(- )?/)[0].length;
let start = ni;
while (!(indent(lines[start]) === col - 2 && lines[start].trimStart().startsWith('- '))) start--;
let end = start + 1;
while (end < lines.length && (lines[end].trim() === '' || indent(lines[end]) >= col)) end++;
const pad = ' '.repeat(col);
const entry = [pad + '- name: ' + o.env.name, pad + '  value: "' + o.env.value + '"'];
let envAt = -1;
for (let i = start; i < end; i++) if (lines[i] === pad + 'env:' || (i === start && /^\s*- env:\s*$/.test(lines[i]))) envAt = i;
if (envAt >= 0) lines.splice(envAt + 1, 0, ...entry);
else lines.splice(end, 0, pad + 'env:', ...entry);
fs.writeFileSync(f, lines.join('\n'));
`;

export interface EditorEdit {
  replicas: number;
  container: string;
  env: { name: string; value: string };
}

/**
 * A non-interactive editor for `kubectl edit`: returns the environment to run kubectl with (EDITOR and
 * KUBE_EDITOR point at a script that sets `replicas` and adds an env var to the container), as a person would.
 */
export function editorEnv(edit: EditorEdit): NodeJS.ProcessEnv {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-editor-')), 'edit.js');
  fs.writeFileSync(file, `#!/usr/bin/env node\n${SCRIPT}`, { mode: 0o755 });
  return { EDITOR: file, KUBE_EDITOR: file, GITOPS_DRIFT_EDIT: JSON.stringify(edit) };
}
