// Reads a Git repository at a revision with git itself (never the working tree), as a repo-server or
// source-controller would: resolve the revision to a commit, export that commit's tree to a temp dir.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ResolvedRevision {
  sha: string;
  /** Branch or tag name when the revision named one. */
  refName?: string;
  refType: 'branch' | 'tag' | 'commit';
}

export function git(repoDir: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: repoDir, signal, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} in ${repoDir} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Resolves a branch, tag, commit or HEAD (empty revision) to a commit SHA. */
export async function resolveRevision(repoDir: string, revision: string | undefined, signal?: AbortSignal): Promise<ResolvedRevision> {
  const rev = revision?.trim() || 'HEAD';
  const candidates: [string, ResolvedRevision['refType']][] = [
    [`refs/heads/${rev}`, 'branch'],
    [`refs/tags/${rev}`, 'tag'],
    [rev, 'commit'],
  ];
  if (rev === 'HEAD') {
    const branch = (await git(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], signal).catch(() => '')).trim();
    const sha = (await git(repoDir, ['rev-parse', '--verify', 'HEAD^{commit}'], signal)).trim();
    return branch ? { sha, refName: branch, refType: 'branch' } : { sha, refType: 'commit' };
  }
  for (const [ref, refType] of candidates) {
    const sha = (await git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], signal).catch(() => '')).trim();
    if (sha) return refType === 'commit' ? { sha, refType } : { sha, refName: rev, refType };
  }
  throw new Error(`revision '${rev}' not found in ${repoDir}`);
}

/** Exports commit trees into temp dirs and keeps them until dispose(); a commit's tree never changes. */
export class TreeCache {
  private readonly trees = new Map<string, Promise<string>>();
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-sim-trees-'));

  tree(repoDir: string, sha: string, signal?: AbortSignal): Promise<string> {
    const key = `${repoDir}\0${sha}`;
    let p = this.trees.get(key);
    if (!p) {
      p = this.export(repoDir, sha, signal);
      this.trees.set(key, p);
      p.catch(() => this.trees.delete(key));
    }
    return p;
  }

  /** Drops exported trees (hard refresh). */
  clear(): void {
    this.trees.clear();
  }

  dispose(): void {
    this.trees.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private async export(repoDir: string, sha: string, signal?: AbortSignal): Promise<string> {
    const dir = fs.mkdtempSync(path.join(this.root, `${sha.slice(0, 12)}-`));
    const tarFile = `${dir}.tar`;
    await git(repoDir, ['archive', '--format=tar', '-o', tarFile, sha], signal);
    await new Promise<void>((resolve, reject) =>
      execFile('tar', ['-xf', tarFile, '-C', dir], { signal }, (err, _o, stderr) => (err ? reject(new Error(`tar failed: ${stderr || err.message}`)) : resolve())),
    );
    fs.rmSync(tarFile, { force: true });
    return dir;
  }
}

/**
 * Branch/tag resolution cached for a short time, so controllers polling many times a second do not
 * spawn git for every pass; explicit refreshes (Argo refresh, Flux requestedAt) bypass it.
 */
export class RevisionCache {
  private readonly entries = new Map<string, { at: number; value: Promise<ResolvedRevision> }>();

  constructor(private readonly ttlMs: number) {}

  resolve(repoDir: string, revision: string | undefined, opts: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<ResolvedRevision> {
    const key = `${repoDir}\0${revision ?? ''}`;
    const hit = this.entries.get(key);
    if (hit && !opts.fresh && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = resolveRevision(repoDir, revision, opts.signal);
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
