// Which Git repositories the workspace holds, so an app's repoURL can be turned into a local folder.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isGitOpsError } from '../model';
import type { ProcessRunner } from '../ports';

export interface RepoInfo {
  /** Absolute path of the repository's top-level folder (app paths are relative to it). */
  root: string;
  /** Remote URLs (any form; compared after normalizeRepoURL). */
  urls: string[];
  /** Checked-out branch, when known. */
  branch?: string;
}

/**
 * `https://GitHub.com/org/repo.git`, `ssh://git@github.com:22/org/repo`, `git@github.com:org/repo` all become
 * `github.com/org/repo`: scheme, user, port, `.git` and trailing slashes dropped, host lower-cased.
 */
export function normalizeRepoURL(url: string): string {
  let u = url.trim();
  let host: string;
  let rest: string;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?(\/.*)?$/i.exec(u);
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(u);
  if (scheme) {
    host = scheme[1];
    rest = scheme[2] ?? '';
  } else if (scp && !/^[a-z]:\\/i.test(u)) {
    host = scp[1];
    rest = scp[2];
  } else {
    return u.replace(/\/+$/, '').replace(/\.git$/, '');
  }
  rest = rest.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  u = `${host.toLowerCase()}/${rest}`;
  return u;
}

export function sameRepo(a: string, b: string): boolean {
  return normalizeRepoURL(a) === normalizeRepoURL(b);
}

/** Parses remote URLs out of a `.git/config` text. */
export function remotesFromGitConfig(text: string): string[] {
  const urls: string[] = [];
  let inRemote = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inRemote = /^\[remote\s+"[^"]*"\]/.test(line);
    else if (inRemote) {
      const m = /^url\s*=\s*(.+)$/.exec(line);
      if (m) urls.push(m[1].trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return urls;
}

async function readGitDirectly(start: string): Promise<RepoInfo | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    const st = await fs.stat(dotGit).catch(() => undefined);
    if (st) {
      let gitDir = dotGit;
      if (st.isFile()) {
        // Worktrees and submodules: `.git` is a file naming the real git dir.
        const m = /^gitdir:\s*(.+)$/m.exec(await fs.readFile(dotGit, 'utf8'));
        if (!m) return { root: dir, urls: [] };
        gitDir = path.resolve(dir, m[1].trim());
      }
      const common = await fs.readFile(path.join(gitDir, 'commondir'), 'utf8').catch(() => undefined);
      const configDir = common ? path.resolve(gitDir, common.trim()) : gitDir;
      const config = await fs.readFile(path.join(configDir, 'config'), 'utf8').catch(() => '');
      const head = await fs.readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '');
      const branch = /^ref:\s*refs\/heads\/(.+)$/m.exec(head)?.[1].trim();
      return { root: dir, urls: remotesFromGitConfig(config), branch };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Top-level folder, remotes and branch of the repository holding `folder`: through `git` when a runner is
 * given (it knows about includes and worktrees), else by reading `.git/config`. Undefined outside a repository.
 */
export async function readRepoInfo(folder: string, opts: { runner?: ProcessRunner; signal?: AbortSignal } = {}): Promise<RepoInfo | undefined> {
  if (opts.runner) {
    try {
      const run = (args: string[]) => opts.runner!.run('git', args, { cwd: folder, signal: opts.signal });
      const top = await run(['rev-parse', '--show-toplevel']);
      if (top.code !== 0) return undefined;
      const remotes = await run(['config', '--get-regexp', '^remote\\..*\\.url$']);
      // symbolic-ref also works on a branch with no commits yet; it fails on a detached HEAD.
      const head = await run(['symbolic-ref', '--short', '-q', 'HEAD']);
      const urls = remotes.stdout.split('\n').map((l) => l.trim().split(/\s+/)[1]).filter((u): u is string => !!u);
      const branch = head.code === 0 && head.stdout.trim() !== '' ? head.stdout.trim() : undefined;
      return { root: path.resolve(top.stdout.trim()), urls, branch };
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
      // git missing: fall back to reading the files.
    }
  }
  return readGitDirectly(folder);
}

/** A Git revision that names a branch (not HEAD, a commit SHA or a semver range). */
function branchLike(rev: string | undefined): string | undefined {
  if (!rev || rev === 'HEAD' || /^[0-9a-f]{40}$/i.test(rev) || /[*^~<>]/.test(rev)) return undefined;
  return rev.replace(/^refs\/heads\//, '');
}

/** The workspace repository for `repoURL` at `revision`, preferring one checked out on that branch. */
export function resolveRepo(repos: RepoInfo[], repoURL: string, revision?: string): { repo?: RepoInfo; problem?: string } {
  const candidates = repos.filter((r) => r.urls.some((u) => sameRepo(u, repoURL)));
  if (candidates.length === 0) return { problem: `repo not in workspace: ${repoURL}` };
  const want = branchLike(revision);
  const onBranch = want ? candidates.find((r) => r.branch === want) : undefined;
  if (onBranch) return { repo: onBranch };
  const repo = candidates[0];
  if (want && repo.branch && repo.branch !== want) {
    return { repo, problem: `the workspace has branch ${repo.branch} checked out; the app tracks ${want}` };
  }
  return { repo };
}
