// Renders a folder of a checked-out tree the way Argo CD's repo-server does for directory and
// kustomize sources: `kubectl kustomize` when a kustomization file exists, else every YAML/JSON file.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/core/model';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface RenderOptions {
  recurse?: boolean;
  signal?: AbortSignal;
}

export function hasKustomization(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)));
}

export async function renderFolder(root: string, relPath: string, opts: RenderOptions = {}): Promise<KubeObject[]> {
  const dir = path.resolve(root, relPath || '.');
  if (!dir.startsWith(path.resolve(root))) throw new Error(`path ${relPath} escapes the repository`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`path '${relPath}' does not exist in the repository`);
  if (hasKustomization(dir)) return parseManifests(await kustomizeBuild(dir, opts.signal), dir);
  const files = listManifestFiles(dir, opts.recurse ?? false);
  return files.flatMap((f) => parseManifests(fs.readFileSync(f, 'utf8'), f));
}

function listManifestFiles(dir: string, recurse: boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recurse) out.push(...listManifestFiles(p, recurse));
    } else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(p);
  }
  return out;
}

function kustomizeBuild(dir: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('kubectl', ['kustomize', dir], { signal, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kustomize build ${dir} failed: ${stderr.trim() || err.message}`)) : resolve(stdout),
    ),
  );
}

/** Parses a multi-document YAML stream into objects, expanding `List`s and dropping empty documents. */
export function parseManifests(text: string, origin: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${origin}: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    if (!value || typeof value !== 'object') continue;
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) out.push(...(value.items as KubeObject[]));
    else if (value.apiVersion && value.kind) out.push(value);
  }
  return out;
}
