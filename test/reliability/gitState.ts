// Everything of a user's git state that a capture must leave alone: HEAD, branches, index, status, stash, the
// files of the work tree (by hash) and in-progress operation markers.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './world';

export interface GitState {
  /** `ref: refs/heads/x` or a commit (detached). */
  head: string;
  headCommit: string;
  /** refs/heads/* → commit. */
  branches: Record<string, string>;
  /** `git ls-files -s` (mode, blob, stage, path). */
  index: string;
  status: string;
  stash: string;
  /** Work-tree path → sha256 of its bytes (symlinks by target), .git excluded. */
  files: Record<string, string>;
  /** In-progress operation markers present in the git dir. */
  operations: string[];
}

const MARKERS = ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'REVERT_HEAD'];

function hashTree(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const rel = path.relative(root, p).split(path.sep).join('/');
    if (rel === '.git') continue;
    if (e.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(p)}`;
    else if (e.isDirectory()) hashTree(root, p, out);
    else out[rel] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
  return out;
}

export function gitState(dir: string): GitState {
  const sym = (() => {
    try {
      return git(dir, 'symbolic-ref', '-q', 'HEAD').trim();
    } catch {
      return '';
    }
  })();
  const branches: Record<string, string> = {};
  for (const line of git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads').split('\n').filter(Boolean)) {
    const [ref, sha] = line.split(' ');
    branches[ref] = sha;
  }
  const gitDir = path.resolve(dir, git(dir, 'rev-parse', '--git-dir').trim());
  return {
    head: sym ? `ref: ${sym}` : git(dir, 'rev-parse', 'HEAD').trim(),
    headCommit: git(dir, 'rev-parse', 'HEAD').trim(),
    branches,
    index: git(dir, 'ls-files', '-s'),
    status: git(dir, 'status', '--porcelain=v1', '--untracked-files=all'),
    stash: git(dir, 'stash', 'list', '--format=%H %gs'),
    files: hashTree(dir),
    operations: MARKERS.filter((m) => fs.existsSync(path.join(gitDir, m))),
  };
}

/** The blob hash git gives these bytes (for "the index now holds what the file holds"). */
export function blobOf(dir: string, file: string): string {
  return git(dir, 'hash-object', '--', file).trim();
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
