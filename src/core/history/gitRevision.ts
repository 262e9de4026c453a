// Files of the repository at a revision, for opening a timeline entry's diff: `git show <rev>:<path>` and the files
// of the app folder changed since. Argument arrays, `--` before the operands, literal pathspecs, fsmonitor off, a
// deadline on every run; the revision must be a commit SHA (it comes from the cluster, never an option).
import path from 'node:path';
import { GitOpsError } from '../model';
import type { ProcessRunner } from '../ports';

const SHA = /^[0-9a-f]{7,40}$/;
const DEADLINE_MS = 15_000;

async function git(runner: ProcessRunner, repoDir: string, args: string[], signal?: AbortSignal): Promise<string> {
  const deadline = AbortSignal.timeout(DEADLINE_MS);
  const both = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const r = await runner.run('git', ['--literal-pathspecs', '-c', 'core.fsmonitor=false', ...args], { cwd: repoDir, signal: both });
  if (r.code !== 0) throw new GitOpsError('git', `git ${args[0]} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

function checkRevision(rev: string): void {
  if (!SHA.test(rev)) throw new GitOpsError('invalid', `not a commit SHA: ${JSON.stringify(rev)}`);
}

/** The repository root of `dir`. */
export async function repoRoot(runner: ProcessRunner, dir: string, signal?: AbortSignal): Promise<string> {
  return (await git(runner, dir, ['rev-parse', '--show-toplevel'], signal)).trim();
}

/** Whether the repository has the commit (a shallow or other clone may not). */
export async function hasRevision(runner: ProcessRunner, repoDir: string, rev: string, signal?: AbortSignal): Promise<boolean> {
  checkRevision(rev);
  const r = await runner.run('git', ['-c', 'core.fsmonitor=false', 'cat-file', '-e', `${rev}^{commit}`], { cwd: repoDir, signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(DEADLINE_MS)]) : AbortSignal.timeout(DEADLINE_MS) });
  return r.code === 0;
}

/** The text of `file` (absolute, inside the repository) at `rev`; undefined when it did not exist then. */
export async function fileAtRevision(runner: ProcessRunner, repoDir: string, rev: string, file: string, signal?: AbortSignal): Promise<string | undefined> {
  checkRevision(rev);
  const root = await repoRoot(runner, repoDir, signal);
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new GitOpsError('invalid', `${file} is outside the repository ${root}`);
  // ls-tree with a literal pathspec says whether the file existed then (show would fail alike for a bad commit).
  const listed = await git(runner, root, ['ls-tree', '-z', '--name-only', rev, '--', rel], signal);
  if (!listed.split('\0').includes(rel)) return undefined;
  return git(runner, root, ['show', `${rev}:${rel}`, '--'], signal);
}

/** Absolute paths of the files under `folder` that differ between `rev` and the work tree (not those deleted since). */
export async function changedSince(runner: ProcessRunner, repoDir: string, rev: string, folder: string, signal?: AbortSignal): Promise<string[]> {
  checkRevision(rev);
  const root = await repoRoot(runner, repoDir, signal);
  const rel = path.relative(root, folder).split(path.sep).join('/') || '.';
  const out = await git(runner, root, ['diff', '-z', '--name-only', '--diff-filter=d', rev, '--', rel], signal);
  return out.split('\0').filter(Boolean).map((f) => path.join(root, f));
}
