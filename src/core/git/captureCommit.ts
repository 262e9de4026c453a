// Writes a capture's files and commits exactly those files on a new branch, leaving everything else of the user's
// (other staged or unstaged changes, the branch they were on) as it was; any failure puts things back.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, realpath, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { FileEdit } from '../capture/captureTypes';
import { prepareFileEdits, type PreparedEdits } from '../capture/writeFileEdits';
import { GitOpsError } from '../model';
import { nodeProcessRunner, throwIfAborted } from '../ports';
import { compareUrl } from './remoteUrl';

export interface CaptureCommitOptions {
  /** Any directory inside the work tree. */
  repoDir: string;
  files: FileEdit[];
  branch: string;
  message: string;
  push?: boolean;
  /** Remote to push to; default: the tracking remote of the current branch, else `origin`, else the only remote. */
  remote?: string;
  /** A push that has not finished by then is stopped (the commit is kept, the user put back); default 2 minutes. */
  pushTimeoutMs?: number;
  /** The user agreed to commit over uncommitted changes in target files (see DirtyTargetError). */
  allowDirty?: boolean;
  /**
   * HEAD is an earlier capture's branch: by default the new branch starts where that capture started (its base),
   * carrying the user's uncommitted work along; with `stack` it starts from HEAD (on top of the earlier capture).
   */
  stack?: boolean;
  signal?: AbortSignal;
}

export interface CaptureCommitResult {
  branch: string;
  commit: string;
  /** Where the user was: a branch name, or a detached commit. */
  previous: { branch?: string; commit: string };
  /** Where the new branch starts: `previous`, or the base of the earlier capture whose branch the user was on. */
  base: string;
  /** Repo-relative paths committed. */
  files: string[];
  pushed: boolean;
  remote?: string;
  compareUrl?: string;
}

/** Target files have uncommitted changes: the UI asks, then retries with `allowDirty`. */
export class DirtyTargetError extends GitOpsError {
  constructor(readonly files: string[]) {
    super('conflict', `Uncommitted changes in ${files.join(', ')}: committing the capture would also commit them`, { file: files[0] });
  }
}

export function isDirtyTargetError(e: unknown): e is DirtyTargetError {
  return e instanceof DirtyTargetError;
}

/**
 * HEAD is a branch an earlier capture made, and the new capture cannot start from where that one started (`base`):
 * the earlier capture changed the same files (`files`), so the plan would have to be made again from `base`, or
 * `base` is gone. Stacking on the earlier capture's commit is only done when asked (`stack`).
 */
export class StackedCaptureError extends GitOpsError {
  constructor(
    readonly branch: string,
    readonly base: string,
    readonly files: string[] = [],
  ) {
    const from = isCommitId(base) ? `commit ${base.slice(0, 12)}` : base;
    const back = from === base ? `git switch ${base}` : `git switch --detach ${base.slice(0, 12)}`;
    const why = files.length ? `, and that capture changed ${files.join(', ')} too` : `, which no longer exists`;
    super('conflict', `HEAD is ${branch}, the branch of an earlier capture (started from ${from})${why}: a new capture cannot start from ${from} with this plan, and would stack on ${branch}. Go back to where the first capture started (${back}) and capture again, or stack on purpose (gitops-drift capture --stack)`, { file: files[0] });
  }
}

function isCommitId(s: string): boolean {
  return /^[0-9a-f]{40,64}$/.test(s);
}

export function isStackedCaptureError(e: unknown): e is StackedCaptureError {
  return e instanceof StackedCaptureError;
}

/** Per-branch git config recording where a capture branch started (a branch name, or a commit when detached). */
const BASE_KEY = (branch: string): string => `branch.${branch}.gitopsDriftBase`;

/**
 * Git options for every command that takes paths: file names are pathspecs, so `c/web[1].yaml` would also match
 * `c/web1.yaml` (and `:(glob)…` would be magic); with this they match only the file itself.
 */
const LITERAL = ['--literal-pathspecs'];

/**
 * Configuration forced on every git this module runs: a repository's own config must not make us run its programs.
 * `core.fsmonitor` names a program git runs on status/add/commit/update-index; a cloned or shared repository could
 * set it, so it is always off (hooks are left as they are).
 */
export const SAFE_GIT_CONFIG = ['core.fsmonitor=false'];
/** The same as `-c` arguments, for git spawned directly. */
export const SAFE_GIT_ARGS = SAFE_GIT_CONFIG.flatMap((c) => ['-c', c]);

/** simple-git refuses `-c core.fsmonitor=…` unless told; the value we pass only ever turns it off. */
function gitClient(baseDir: string, signal?: AbortSignal): SimpleGit {
  return simpleGit({ baseDir, abort: signal, errors: strictExit, config: SAFE_GIT_CONFIG, unsafe: { allowUnsafeFsMonitor: true } });
}

interface State {
  top: string;
  previous: { branch?: string; commit: string };
  /** Index entries (`mode sha stage\tpath` lines) of target paths before we touched anything. */
  indexBefore: Map<string, string | undefined>;
  branchCreated: boolean;
  /** The new branch started from an earlier capture's base (a checkout that changed other files): undo with one. */
  switched?: boolean;
  /** The new contents, already in temporary files beside their targets; `written` lists the files replaced. */
  files: PreparedEdits;
  committed?: string;
}

/**
 * Branch, write, commit only `files`, optionally push. Detached HEAD: the branch starts at the detached commit and
 * a rollback returns HEAD to that same detached commit. On failure before the commit the new branch is deleted;
 * when only the push fails, the committed branch is kept (named in the error) and the user is put back where they were.
 */
export async function captureCommit(opts: CaptureCommitOptions): Promise<CaptureCommitResult> {
  if (opts.files.length === 0) throw new GitOpsError('invalid', 'Nothing to commit: the capture has no file edits');
  // The user's environment is inherited as is (no .env()), so pushes authenticate as in their terminal/editor.
  const probe = gitClient(opts.repoDir, opts.signal);
  const top = path.resolve((await gitText(probe, ['rev-parse', '--show-toplevel'])).trim());
  // One capture at a time per repository: two would check out, write and roll back over each other.
  const release = await lockRepository(top, path.resolve(opts.repoDir, (await gitText(probe, ['rev-parse', '--git-common-dir'])).trim()));
  try {
    return await captureLocked(opts, top);
  } finally {
    await release();
  }
}

async function captureLocked(opts: CaptureCommitOptions, top: string): Promise<CaptureCommitResult> {
  // Paths are repo-relative, so every command runs at the top level, whatever directory was given.
  const git = gitClient(top, opts.signal);
  // Rollback must run even after an abort, so it uses its own instance without the signal.
  const rescue = gitClient(top);
  const rel: string[] = [];
  for (const f of opts.files) rel.push(toRepoPath(top, await realPath(f.file)));
  const commit = (await gitText(git, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
  if (!commit) throw new GitOpsError('git', 'The repository has no commit yet; commit something first');
  await refuseInProgressOperation(git, top);
  const branchRef = (await gitText(git, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  const previous = { branch: branchRef.startsWith('refs/heads/') ? branchRef.slice('refs/heads/'.length) : undefined, commit };
  // Back-to-back captures: the second must not silently start from the first one's branch. It starts where the
  // first started, when the first did not change the files this one writes (else the plan is not valid there).
  const stackedOn = previous.branch ? (await gitText(git, ['config', '--get', BASE_KEY(previous.branch)]).catch(() => '')).trim() : '';
  let fromBase: string | undefined;
  if (stackedOn && !opts.stack) {
    const ref = isCommitId(stackedOn) ? stackedOn : `refs/heads/${stackedOn}`;
    fromBase = (await gitText(git, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]).catch(() => '')).trim();
    if (!fromBase) throw new StackedCaptureError(previous.branch!, stackedOn);
    const touched = (await gitText(git, [...LITERAL, 'diff', '--name-only', '-z', fromBase, 'HEAD', '--', ...rel])).split('\0').filter(Boolean);
    if (touched.length) throw new StackedCaptureError(previous.branch!, stackedOn, touched);
  }
  const base = stackedOn || previous.branch || previous.commit;
  /** The branch the capture is reviewed against (pull request base, push remote). */
  const baseBranch = fromBase ? (isCommitId(stackedOn) ? undefined : stackedOn) : previous.branch;

  await gitText(git, ['check-ref-format', '--branch', opts.branch]).catch(() => {
    throw new GitOpsError('invalid', `"${opts.branch}" is not a valid branch name`);
  });
  if ((await gitText(git, ['rev-parse', '--verify', '-q', `refs/heads/${opts.branch}`]).catch(() => '')).trim()) {
    throw new GitOpsError('conflict', `Branch ${opts.branch} already exists`);
  }

  for (const f of opts.files) {
    const onDisk = await readFile(f.file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (onDisk !== f.before) throw new GitOpsError('conflict', `${f.file} changed since the capture was planned; plan it again`, { file: f.file });
  }
  const dirty = await dirtyPaths(git, rel);
  if (dirty.length && !opts.allowDirty) throw new DirtyTargetError(dirty);

  const indexBefore = await indexEntries(git, rel);
  // Every new content is written beside its target before anything changes: a read-only file or a full disk fails
  // here, naming the file, with nothing to undo.
  const files = await prepareFileEdits(opts.files, opts.signal);
  const state: State = { top, previous, indexBefore, branchCreated: false, files };
  try {
    throwIfAborted(opts.signal);
    if (fromBase) {
      // The targets are the same there (checked above); other uncommitted work is carried along, or git refuses.
      await git.raw(['checkout', '-q', '-b', opts.branch, fromBase]);
      state.switched = true;
    } else await git.raw(['checkout', '-q', '-b', opts.branch]);
    state.branchCreated = true;
    // Deleted with the branch's config section by a rollback's `branch -D`.
    await git.raw(['config', '--local', BASE_KEY(opts.branch), base]);
    await files.apply();
    const created = rel.filter((_, i) => opts.files[i].before === undefined);
    if (created.length) await git.raw([...LITERAL, 'add', '--', ...created]);
    throwIfAborted(opts.signal);
    await git.raw([...LITERAL, 'commit', '-q', '--only', '-m', opts.message, '--', ...rel]);
    const head = (await gitText(git, ['rev-parse', 'HEAD'])).trim();
    if (head === previous.commit) throw new GitOpsError('git', 'git commit reported success but made no commit');
    state.committed = head;

    const result: CaptureCommitResult = { branch: opts.branch, commit: state.committed, previous, base: fromBase ? stackedOn : (previous.branch ?? previous.commit), files: rel, pushed: false };
    if (opts.push) {
      const remote = opts.remote ?? (await pushRemote(git, baseBranch));
      result.remote = remote;
      await pushWithDeadline(top, ['push', '--porcelain', '--set-upstream', '--', remote, `refs/heads/${opts.branch}:refs/heads/${opts.branch}`], opts.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS, opts.signal);
      result.pushed = true;
      const url = (await gitText(git, ['remote', 'get-url', '--', remote]).catch(() => '')).trim();
      result.compareUrl = url ? compareUrl(url, opts.branch, baseBranch ?? (await remoteDefaultBranch(git, remote))) : undefined;
    }
    return result;
  } catch (e) {
    const restored = [...files.written];
    const problems = await rollback(rescue, state, opts, rel);
    const cause = e as Error;
    const kept = state.committed ? ` The capture is committed as ${state.committed.slice(0, 12)} on branch ${opts.branch} (kept, not pushed).` : '';
    const where = previous.branch ? `branch ${previous.branch}` : `detached HEAD at ${previous.commit.slice(0, 12)}`;
    const back = restored.length ? ` Restored the touched files (${restored.map((f) => path.relative(top, path.resolve(f))).join(', ')}) and ${where}.` : ` Nothing was changed; still on ${where}.`;
    const extra = problems.length ? ` Rollback problems: ${problems.join('; ')}` : '';
    if (opts.signal?.aborted || (cause instanceof GitOpsError && cause.reason === 'cancelled')) throw new GitOpsError('cancelled', `Capture cancelled.${kept}${back}${extra}`, { cause });
    if (cause instanceof GitOpsError && cause.reason === 'timeout') throw new GitOpsError('timeout', `Push failed: ${firstLines(cause.message)}.${kept}${back}${extra}`, { cause, verb: 'push' });
    const what = state.committed ? 'Push failed' : 'Capture commit failed';
    throw new GitOpsError('git', `${what}: ${firstLines(cause.message)}.${kept}${back}${extra}`, { cause, verb: state.committed ? 'push' : 'commit' });
  }
}

const DEFAULT_PUSH_TIMEOUT_MS = 120_000;

const LOCK_FILE = 'gitops-drift-capture.lock';

/**
 * Takes the repository's capture lock (a file created exclusively in the common git dir, holding our pid) or
 * refuses: another capture is running. A lock left by a process that no longer exists (on this machine) is taken over.
 */
async function lockRepository(top: string, gitDir: string): Promise<() => Promise<void>> {
  const file = path.join(gitDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(`${process.pid} ${hostname()} ${new Date().toISOString()}\n`);
      await fh.close();
      return () => rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
      const [pid, host] = holder.split(' ');
      if (attempt === 0 && pid && host === hostname() && !processAlive(Number(pid))) {
        await rm(file, { force: true });
        continue;
      }
      throw new GitOpsError('conflict', `Another capture is running in this repository (${top}${pid ? `, process ${pid}` : ''}); wait for it to finish. If none is running, delete ${file}`);
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `git push` in its own process group so a deadline or an abort stops it and everything it started (ssh, a
 * remote helper), instead of waiting for a remote that never answers.
 */
function pushWithDeadline(top: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE_GIT_ARGS, ...args], { cwd: top, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    const err: Buffer[] = [];
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let stopped: GitOpsError | undefined;
    const stop = (why: GitOpsError): void => {
      if (stopped) return;
      stopped = why;
      const kill = (sig: NodeJS.Signals): void => {
        try {
          if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, sig);
          else child.kill(sig);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 2000).unref();
      // Pipes may stay open in a process that ignores SIGTERM: do not wait for them.
      reject(why);
    };
    const timer = setTimeout(() => stop(new GitOpsError('timeout', `git push: the remote did not answer within ${timeoutMs / 1000} s; stopped`)), timeoutMs);
    const onAbort = (): void => stop(new GitOpsError('cancelled', 'git push was cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      done();
      if (!stopped) reject(e);
    });
    child.on('close', (code) => {
      done();
      if (stopped) return;
      if (code === 0) resolve();
      else reject(new Error(Buffer.concat(err).toString('utf8').trim() || `git push exited with code ${code}`));
    });
  });
}

/** simple-git treats a failing exit with an empty stderr as success (e.g. a silent failing hook); we do not. */
function strictExit(error: Buffer | Error | undefined, result: { exitCode: number; stdErr: Buffer[] }): Buffer | Error | undefined {
  if (error) return error;
  if (result.exitCode !== 0) return new Error(Buffer.concat(result.stdErr).toString('utf8').trim() || `git exited with code ${result.exitCode}`);
  return undefined;
}

/**
 * Puts index entries, file contents and HEAD back exactly as they were, without a checkout touching other files
 * (except after starting from an earlier capture's base, which a checkout undoes).
 */
async function rollback(git: SimpleGit, state: State, opts: CaptureCommitOptions, rel: string[]): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${firstLines((e as Error).message)}`);
    }
  };
  if (state.branchCreated && !state.switched) {
    // HEAD moves back first (no work-tree change), then the target paths' index entries and contents.
    if (state.previous.branch) await attempt('restore branch', () => git.raw(['symbolic-ref', 'HEAD', `refs/heads/${state.previous.branch}`]));
    else await attempt('restore detached HEAD', () => git.raw(['update-ref', '--no-deref', 'HEAD', state.previous.commit]));
    if (!state.committed) await attempt('delete branch', () => git.raw(['branch', '-D', '--', opts.branch]));
  }
  // Only what was actually written is put back (a file never replaced needs, and may allow, no restore).
  const written = new Set(state.files.written.map((f) => path.resolve(f)));
  for (const p of rel) {
    if (!written.has(path.resolve(state.top, p)) && !state.committed) continue;
    const entry = state.indexBefore.get(p);
    await attempt(`restore index of ${p}`, () => (entry === undefined ? git.raw([...LITERAL, 'rm', '-q', '--cached', '--ignore-unmatch', '--', p]) : updateIndex(state.top, entry)));
  }
  problems.push(...(await state.files.undo()));
  await state.files.discard();
  if (state.branchCreated && state.switched) {
    // Started from the earlier capture's base: with the targets as they were, a checkout brings back the files that
    // capture changed and carries the user's other uncommitted work along, as the checkout away from it did.
    await attempt('return to branch', () => git.raw(['checkout', '-q', state.previous.branch!]));
    if (!state.committed) await attempt('delete branch', () => git.raw(['branch', '-D', '--', opts.branch]));
  }
  return problems;
}

/** Real path of a file that may not exist yet, so symlinked checkouts (macOS /tmp) compare with git's top level. */
async function realPath(file: string): Promise<string> {
  const abs = path.resolve(file);
  try {
    return await realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(await realPath(parent), path.basename(abs));
  }
}

/** `git update-index --index-info` reads stdin, which simple-git cannot feed; spawn it directly. */
async function updateIndex(top: string, entry: string): Promise<void> {
  const r = await nodeProcessRunner.run('git', [...SAFE_GIT_ARGS, 'update-index', '--index-info'], { cwd: top, input: `${entry}\n` });
  if (r.code !== 0) throw new Error(r.stderr || `git update-index exited ${r.code}`);
}

async function indexEntries(git: SimpleGit, rel: string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>(rel.map((p) => [p, undefined]));
  const text = await gitText(git, [...LITERAL, 'ls-files', '-s', '-z', '--', ...rel]);
  for (const rec of text.split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab > 0) out.set(rec.slice(tab + 1), rec);
  }
  return out;
}

async function dirtyPaths(git: SimpleGit, rel: string[]): Promise<string[]> {
  const text = await gitText(git, [...LITERAL, 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...rel]);
  return text
    .split('\0')
    .filter((r) => r.length > 3)
    .map((r) => r.slice(3));
}

async function refuseInProgressOperation(git: SimpleGit, top: string): Promise<void> {
  for (const marker of ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'REVERT_HEAD']) {
    const p = (await gitText(git, ['rev-parse', '--git-path', marker])).trim();
    if (existsSync(path.resolve(top, p))) throw new GitOpsError('conflict', `A git operation is in progress (${marker}); finish or abort it first`);
  }
}

async function pushRemote(git: SimpleGit, branch: string | undefined): Promise<string> {
  if (branch) {
    const tracking = (await gitText(git, ['config', '--get', `branch.${branch}.remote`]).catch(() => '')).trim();
    if (tracking && tracking !== '.') return tracking;
  }
  const remotes = (await gitText(git, ['remote'])).split('\n').filter(Boolean);
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0];
  throw new GitOpsError('git', remotes.length ? `Several remotes (${remotes.join(', ')}) and no tracking remote: choose one` : 'The repository has no remote to push to');
}

async function remoteDefaultBranch(git: SimpleGit, remote: string): Promise<string | undefined> {
  const ref = (await gitText(git, ['symbolic-ref', '-q', `refs/remotes/${remote}/HEAD`]).catch(() => '')).trim();
  return ref ? ref.replace(`refs/remotes/${remote}/`, '') : undefined;
}

function toRepoPath(top: string, file: string): string {
  const r = path.relative(top, path.resolve(file));
  if (r.startsWith('..') || path.isAbsolute(r)) throw new GitOpsError('invalid', `${file} is outside the repository ${top}`, { file });
  return r.split(path.sep).join('/');
}

async function gitText(git: SimpleGit, args: string[]): Promise<string> {
  return git.raw(args);
}

function firstLines(msg: string): string {
  return msg.trim().split('\n').slice(0, 4).join(' ').replace(/\.$/, '');
}
