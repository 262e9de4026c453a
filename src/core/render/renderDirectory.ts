// Argo CD "directory" sources: every YAML/JSON manifest in a folder, optionally recursive, filtered by globs.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { GitOpsError } from '../model';
import { throwIfAborted } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import type { RenderResult } from './types';

export interface DirectoryOptions {
  recurse?: boolean;
  include?: string;
  exclude?: string;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
/** repo-server evaluates `*.jsonnet` files of a directory source (with its `jsonnet` extVars, TLAs and libs). */
const JSONNET_EXT = /\.jsonnet$/i;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Argo matches include/exclude with gobwas/glob without separators, so `*` also crosses `/`; picomatch's
 * `bash` mode gives the same, and it supports the `{a,b}` alternatives Argo users write.
 */
function globMatcher(pattern: string | undefined): ((rel: string) => boolean) | undefined {
  if (!pattern) return undefined;
  const m = picomatch(pattern, { bash: true, dot: true });
  return (rel) => m(rel);
}

async function listFiles(dir: string, recurse: boolean, signal?: AbortSignal): Promise<string[]> {
  throwIfAborted(signal);
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recurse && !SKIP_DIRS.has(e.name)) files.push(...(await listFiles(p, recurse, signal)));
    } else if (e.isFile() && (MANIFEST_EXT.test(e.name) || JSONNET_EXT.test(e.name))) {
      files.push(p);
    }
  }
  return files;
}

export async function renderDirectory(dir: string, opts: DirectoryOptions = {}, signal?: AbortSignal): Promise<RenderResult> {
  const result: RenderResult = { objects: [], skipped: [], errors: [] };
  let files: string[];
  try {
    files = await listFiles(dir, opts.recurse ?? false, signal);
  } catch (e) {
    if (e instanceof GitOpsError) throw e;
    throw new GitOpsError('notFound', `Cannot read directory ${dir}: ${(e as Error).message}`, { file: dir, cause: e });
  }
  const include = globMatcher(opts.include);
  const exclude = globMatcher(opts.exclude);
  for (const file of files) {
    throwIfAborted(signal);
    const rel = path.relative(dir, file).split(path.sep).join('/');
    if (exclude?.(rel)) {
      result.skipped.push({ file, reason: `excluded by ${opts.exclude}` });
      continue;
    }
    if (include && !include(rel)) {
      result.skipped.push({ file, reason: `not included by ${opts.include}` });
      continue;
    }
    if (JSONNET_EXT.test(file)) {
      // Not evaluated here: an error on the app (never a quiet "in sync"); the objects it generates are not compared,
      // so they can show as prune candidates.
      result.errors.push(new GitOpsError('render', `${rel}: Jsonnet is not evaluated locally (Argo CD's repo-server evaluates it); the objects it generates are not compared and can show as prune candidates`, { file }));
      continue;
    }
    const text = await fs.readFile(file, 'utf8');
    const parsed = parseManifests(text, file);
    for (const err of parsed.errors) {
      result.errors.push(new GitOpsError('parse', err.message, { file, line: err.line }));
    }
    for (const d of parsed.docs) {
      result.objects.push({ object: d.object, source: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine } });
    }
    if (parsed.docs.length === 0 && parsed.errors.length === 0) {
      const reasons = [...new Set(parsed.skipped.map((s) => s.reason))];
      result.skipped.push({ file, reason: reasons.length > 0 ? reasons.join('; ') : 'empty file' });
    }
  }
  return result;
}
