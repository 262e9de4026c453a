// Argo CD (v3.6) expands glob patterns in a helm source's valueFiles (reposerver/repository getResolvedValueFiles):
// doublestar.FilepathGlob on the resolved path (`*`, `?`, `[...]` within a path segment, `**` across folders), matches in
// doublestar's order, each match's real path inside the repository; a file also listed explicitly keeps its place.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { GitOpsError } from '../model';

/** isGlobPath: any of `*`, `?`, `[`. */
export function isArgoGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

const hasMeta = (p: string) => /[*?[{]/.test(p);
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function readDirSorted(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: { name: string; isDir: boolean }[] = [];
  for (const e of entries.sort((a, b) => byName(a.name, b.name))) {
    // A symlink counts as what it points to (doublestar isDir stats it).
    const isDir = e.isDirectory() || (e.isSymbolicLink() && !!(await fs.stat(path.join(dir, e.name)).catch(() => undefined))?.isDirectory());
    out.push({ name: e.name, isDir });
  }
  return out;
}

/**
 * Every existing file or folder matching the absolute `pattern`, in doublestar v4's order (doGlob): the folders matching
 * the pattern up to its last `/` first (`**` walks depth first, a folder before what is in it), then, in each of them
 * in turn, the names matching the last segment, sorted.
 */
export async function globValueFiles(pattern: string, signal?: AbortSignal): Promise<string[]> {
  let budget = 100_000;
  const doGlob = async (pat: string, canMatchFiles: boolean): Promise<string[]> => {
    if (!hasMeta(pat)) {
      const st = await fs.stat(pat).catch(() => undefined);
      return st && (canMatchFiles || st.isDirectory()) ? [pat] : [];
    }
    const split = pat.lastIndexOf('/');
    const dir = split <= 0 ? '/' : pat.slice(0, split);
    const last = pat.slice(split + 1);
    const dirs = hasMeta(dir) ? await doGlob(dir, false) : [dir];
    const out: string[] = [];
    for (const d of dirs) out.push(...(await globDir(d, last, canMatchFiles)));
    return out;
  };
  const globDoubleStar = async (dir: string, canMatchFiles: boolean, out: string[]): Promise<void> => {
    if (signal?.aborted || --budget < 0) return;
    out.push(dir);
    for (const e of await readDirSorted(dir)) {
      const p = path.posix.join(dir, e.name);
      if (e.isDir) await globDoubleStar(p, canMatchFiles, out);
      else if (canMatchFiles) out.push(p);
    }
  };
  const globDir = async (dir: string, seg: string, canMatchFiles: boolean): Promise<string[]> => {
    const out: string[] = [];
    if (seg === '**') {
      await globDoubleStar(dir, canMatchFiles, out);
      return out;
    }
    const match = picomatch(seg, { dot: true });
    for (const e of await readDirSorted(dir)) {
      if (match(e.name) && (canMatchFiles || e.isDir)) out.push(path.posix.join(dir, e.name));
    }
    return out;
  };
  return doGlob(path.posix.normalize(pattern.split(path.sep).join('/')), true);
}

/** verifyGlobMatchesWithinRoot: a match whose real path leaves the repository is refused. */
export async function checkGlobMatchesInside(matches: string[], repoRoot: string, raw: string): Promise<void> {
  const root = await fs.realpath(repoRoot).catch(() => path.resolve(repoRoot));
  for (const m of matches) {
    const real = await fs.realpath(m).catch(() => m);
    const rel = path.relative(root, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new GitOpsError('invalid', `helm value file glob ${JSON.stringify(raw)}: ${m} resolves outside the repository`, { file: m });
  }
}
