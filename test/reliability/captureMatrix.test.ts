// Issue 18 item 21: the capture fault matrix, end to end through the CLI (`gitops-drift capture --commit`) against
// a cluster with a kubectl edit. For every case the repository's HEAD, branches, index, `git status --porcelain`,
// stash list, in-progress markers and the hash of every work-tree file are compared before and after: the user's
// state is intact, or changed exactly as documented (a successful capture: HEAD on the new branch, one commit on
// top of where the user was that changes only the captured file; a failed push keeps that branch and nothing else).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeUnwritable, makeWritable } from '../unit/capture/unwritable';
import { gitState, type GitState } from './gitState';
import { cli, createRepo, git, kubectlEdit, startWorld, tempDir, type CliRun, type World } from './world';

const TARGET = 'apps/web/deployment.yaml';
const ROOT = path.resolve(__dirname, '../..');

type Outcome =
  /** Nothing of the user's changed. */
  | { kind: 'unchanged' }
  /** The documented success: on the new branch, one commit changing only TARGET; all else as it was. */
  | { kind: 'captured'; branch: string; target?: string; fromBranch?: string }
  /** A failed push: the capture commit stays on its branch, the user is back where they were. */
  | { kind: 'kept'; branch: string; target?: string; fromBranch?: string };

interface Case {
  name: string;
  /** Puts the repository in the state under test; answers extra CLI arguments. */
  setup(dir: string, world: World): Promise<string[] | void> | string[] | void;
  /** The object captured (default web's Deployment). */
  resource?: string;
  code: number;
  message?: RegExp;
  notMessage?: RegExp;
  outcome: Outcome;
  cleanup?(dir: string): void;
}

/**
 * What `before` becomes after a successful capture onto `branch` (see Outcome): the new commit sits on where the
 * user was (or on `fromBranch`, the base of an earlier capture the user was on) and changes only the target; every
 * path that differs between where the user was and the new commit now holds the new commit's version in the index
 * and the work tree; nothing else changes.
 */
function documented(before: GitState, after: GitState, dir: string, o: Outcome): GitState {
  if (o.kind === 'unchanged') return before;
  const commit = after.branches[`refs/heads/${o.branch}`];
  const target = o.target ?? TARGET;
  assert.ok(commit, `branch ${o.branch} exists after the capture`);
  const parent = o.fromBranch ? before.branches[`refs/heads/${o.fromBranch}`] : before.headCommit;
  assert.equal(git(dir, 'rev-parse', `${commit}~1`).trim(), parent, 'the capture commit sits on where it should start');
  assert.equal(git(dir, 'diff', '--name-only', `${commit}~1`, commit).trim(), target, 'the capture commit changes only the captured file');
  const branches = { ...before.branches, [`refs/heads/${o.branch}`]: commit };
  if (o.kind === 'kept') return { ...before, branches };
  const changed = git(dir, 'diff', '--name-only', '--no-renames', before.headCommit, commit).split('\n').filter(Boolean);
  const index = before.index
    .split('\n')
    .map((l) => {
      const p = l.slice(l.indexOf('\t') + 1);
      return changed.includes(p) ? l.replace(/^(\d+) [0-9a-f]+ /, `$1 ${git(dir, 'rev-parse', `${commit}:${p}`).trim()} `) : l;
    })
    .join('\n');
  const files = { ...before.files };
  for (const p of changed) files[p] = createHash('sha256').update(git(dir, 'show', `${commit}:${p}`)).digest('hex');
  // The target is now committed as it is on disk: it leaves `git status` (with --allow-dirty, with the user's edit).
  const status = before.status
    .split('\n')
    .filter((l) => !l.endsWith(` ${target}`))
    .join('\n');
  return { ...before, head: `ref: refs/heads/${o.branch}`, headCommit: commit, branches, index, files, status };
}

describe('reliability: capture fault matrix (issue 18 item 21)', function () {
  this.timeout(180_000);
  let world: World;
  const dirs: string[] = [];
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const captureArgs = (dir: string, resource = 'apps/Deployment/rel-web/web'): string[] => ['capture', '--repo', dir, '--kubeconfig', world.kubeconfigPath, '--resource', resource, '--commit'];
  const newRepo = (): string => {
    const d = createRepo(tempDir('rel-capture-'));
    dirs.push(d);
    // The user's own work in progress, everywhere a capture could trip over it.
    fs.writeFileSync(path.join(d, 'apps/api/config.yaml'), fs.readFileSync(path.join(d, 'apps/api/config.yaml'), 'utf8') + '  staged: "yes"\n');
    git(d, 'add', 'apps/api/config.yaml');
    fs.writeFileSync(path.join(d, 'apps/web/config.yaml'), fs.readFileSync(path.join(d, 'apps/web/config.yaml'), 'utf8') + '  unstaged: "yes"\n');
    fs.writeFileSync(path.join(d, 'NOTES.md'), 'untracked scratch\n');
    fs.writeFileSync(path.join(d, 'stashed.txt'), 'v1\n');
    git(d, 'add', 'stashed.txt');
    git(d, 'commit', '-q', '-m', 'stashed.txt', '--', 'stashed.txt');
    fs.writeFileSync(path.join(d, 'stashed.txt'), 'v2\n');
    git(d, 'stash', 'push', '-q', '-m', 'user stash', '--', 'stashed.txt');
    return d;
  };

  /** A conflicting change to apps/api/config.yaml on branch `other` and on main (committed); the user's WIP is stashed around it. */
  const conflicting = (d: string): void => {
    git(d, 'stash', 'push', '-q', '--include-untracked', '-m', 'wip');
    git(d, 'branch', 'other');
    fs.writeFileSync(path.join(d, 'apps/api/config.yaml'), fs.readFileSync(path.join(d, 'apps/api/config.yaml'), 'utf8').replace('mode: prod', 'mode: main-side'));
    git(d, 'commit', '-q', '-am', 'main side');
    git(d, 'switch', '-q', 'other');
    fs.writeFileSync(path.join(d, 'apps/api/config.yaml'), fs.readFileSync(path.join(d, 'apps/api/config.yaml'), 'utf8').replace('mode: prod', 'mode: other-side'));
    git(d, 'commit', '-q', '-am', 'other side');
    git(d, 'switch', '-q', 'main');
  };
  const expectFail = (fn: () => void): void => {
    try {
      fn();
    } catch {
      return;
    }
    throw new Error('fixture: the git command was expected to stop on a conflict');
  };

  const cases: Case[] = [
    {
      name: 'clean target with staged, unstaged, untracked and stashed work elsewhere: captured, the rest untouched',
      setup: () => ['--branch', 'breakglass/plain'],
      code: 0,
      outcome: { kind: 'captured', branch: 'breakglass/plain' },
    },
    {
      name: 'dirty target (unstaged edit): refused, naming the file',
      setup: (d) => fs.appendFileSync(path.join(d, TARGET), '# my local note\n'),
      code: 2,
      message: /Uncommitted changes in apps\/web\/deployment\.yaml/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'staged work on the target: refused, naming the file',
      setup: (d) => {
        fs.appendFileSync(path.join(d, TARGET), '# staged note\n');
        git(d, 'add', TARGET);
      },
      code: 2,
      message: /Uncommitted changes in apps\/web\/deployment\.yaml/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'dirty target with --allow-dirty: captured, and only then is the user edit committed with it',
      setup: (d) => {
        fs.writeFileSync(path.join(d, TARGET), fs.readFileSync(path.join(d, TARGET), 'utf8').replace('# web tier', '# web tier (reviewed)'));
        return ['--allow-dirty', '--branch', 'breakglass/allow-dirty'];
      },
      code: 0,
      outcome: { kind: 'captured', branch: 'breakglass/allow-dirty' },
    },
    {
      name: 'detached HEAD: captured onto a new branch from the detached commit',
      setup: (d) => {
        git(d, 'checkout', '-q', '--detach');
        return ['--branch', 'breakglass/detached'];
      },
      code: 0,
      outcome: { kind: 'captured', branch: 'breakglass/detached' },
    },
    {
      name: 'failing pre-commit hook: the commit fails, everything is put back',
      setup: (d) => {
        const hook = path.join(d, '.git/hooks/pre-commit');
        fs.writeFileSync(hook, '#!/bin/sh\necho "lint failed" >&2\nexit 1\n');
        fs.chmodSync(hook, 0o755);
      },
      code: 2,
      message: /Capture commit failed: lint failed/,
      notMessage: /Rollback problems/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'merge in progress (conflict): refused',
      setup: (d) => {
        conflicting(d);
        expectFail(() => git(d, 'merge', '-q', 'other'));
      },
      code: 2,
      message: /git operation is in progress \(MERGE_HEAD\)/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'rebase in progress (conflict): refused',
      setup: (d) => {
        conflicting(d);
        expectFail(() => git(d, 'rebase', '-q', 'other'));
      },
      code: 2,
      message: /git operation is in progress \(rebase-(merge|apply)\)/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'existing branch name: refused',
      setup: (d) => {
        git(d, 'branch', 'breakglass/taken');
        return ['--branch', 'breakglass/taken'];
      },
      code: 2,
      message: /Branch breakglass\/taken already exists/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'on the branch of an earlier capture of the same file (issue 18 item 18): refused, naming the branch, its base and the file',
      setup: async (d, w) => {
        const first = await cli([...captureArgs(d), '--branch', 'breakglass/first']);
        assert.equal(first.code, 0, first.stderr);
        await kubectlEdit(w.rest, 6);
        return ['--branch', 'breakglass/second'];
      },
      code: 2,
      message: /HEAD is breakglass\/first, the branch of an earlier capture \(started from main\), and that capture changed apps\/web\/deployment\.yaml too.*git switch main.*--stack/,
      outcome: { kind: 'unchanged' },
    },
    {
      name: 'on the branch of an earlier capture, another object: captured from main (where the first started), work carried along',
      setup: async (d, w) => {
        const first = await cli([...captureArgs(d), '--branch', 'breakglass/first']);
        assert.equal(first.code, 0, first.stderr);
        // The second target must be clean: drop the user's unstaged edit of it, then edit the object live.
        git(d, 'checkout', '--', 'apps/web/config.yaml');
        await w.rest.call('PATCH', '/api/v1/namespaces/rel-web/configmaps/web-config', { body: { data: { mode: 'debug' } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'kubectl-edit' } });
        return ['--branch', 'breakglass/second'];
      },
      resource: '/ConfigMap/rel-web/web-config',
      code: 0,
      outcome: { kind: 'captured', branch: 'breakglass/second', target: 'apps/web/config.yaml', fromBranch: 'main' },
    },
    {
      name: 'on the branch of an earlier capture, another object, push rejected: back on the earlier branch with its files, the commit kept',
      setup: async (d, w) => {
        const first = await cli([...captureArgs(d), '--branch', 'breakglass/first']);
        assert.equal(first.code, 0, first.stderr);
        git(d, 'checkout', '--', 'apps/web/config.yaml');
        await w.rest.call('PATCH', '/api/v1/namespaces/rel-web/configmaps/web-config', { body: { data: { mode: 'debug' } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'kubectl-edit' } });
        const remote = tempDir('rel-remote-');
        dirs.push(remote);
        git(remote, 'init', '-q', '--bare', '-b', 'main');
        fs.writeFileSync(path.join(remote, 'hooks/pre-receive'), '#!/bin/sh\necho "protected: captures need review" >&2\nexit 1\n');
        fs.chmodSync(path.join(remote, 'hooks/pre-receive'), 0o755);
        git(d, 'remote', 'set-url', '--push', 'origin', remote);
        return ['--push', '--branch', 'breakglass/second'];
      },
      resource: '/ConfigMap/rel-web/web-config',
      code: 2,
      message: /Push failed: .*protected: captures need review.*kept, not pushed.*branch breakglass\/first/,
      notMessage: /Rollback problems/,
      outcome: { kind: 'kept', branch: 'breakglass/second', target: 'apps/web/config.yaml', fromBranch: 'main' },
    },
    {
      name: 'on the branch of an earlier capture with --stack: captured on top of it',
      setup: async (d, w) => {
        const first = await cli([...captureArgs(d), '--branch', 'breakglass/first']);
        assert.equal(first.code, 0, first.stderr);
        await kubectlEdit(w.rest, 6);
        return ['--branch', 'breakglass/stacked', '--stack'];
      },
      code: 0,
      outcome: { kind: 'captured', branch: 'breakglass/stacked' },
    },
    {
      name: 'push rejected by the remote: the commit is kept on its branch, the user is back on main',
      setup: (d) => {
        const remote = tempDir('rel-remote-');
        dirs.push(remote);
        git(remote, 'init', '-q', '--bare', '-b', 'main');
        fs.writeFileSync(path.join(remote, 'hooks/pre-receive'), '#!/bin/sh\necho "protected: captures need review" >&2\nexit 1\n');
        fs.chmodSync(path.join(remote, 'hooks/pre-receive'), 0o755);
        git(d, 'remote', 'set-url', '--push', 'origin', remote);
        return ['--push', '--branch', 'breakglass/rejected'];
      },
      code: 2,
      message: /Push failed: .*protected: captures need review.*kept, not pushed/,
      outcome: { kind: 'kept', branch: 'breakglass/rejected' },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      await kubectlEdit(world.rest, 5);
      const dir = newRepo();
      const extra = (await c.setup(dir, world)) ?? [];
      const before = gitState(dir);
      let run: CliRun;
      try {
        run = await cli([...captureArgs(dir, c.resource), ...extra], { deadlineMs: 60_000 });
      } finally {
        c.cleanup?.(dir);
      }
      assert.equal(run.code, c.code, `exit code; stderr: ${run.stderr}`);
      if (c.message) assert.match(run.stderr, c.message);
      if (c.notMessage) assert.doesNotMatch(run.stderr, c.notMessage);
      const after = gitState(dir);
      assert.deepEqual(after, documented(before, after, dir, c.outcome));
    });
  }

  it('read-only target: nothing changes and the message names the file (no rollback report)', async function () {
    await kubectlEdit(world.rest, 5);
    const dir = newRepo();
    const target = path.join(dir, TARGET);
    if (!makeUnwritable(target)) this.skip();
    try {
      const before = gitState(dir);
      const run = await cli(captureArgs(dir));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /deployment\.yaml/);
      assert.doesNotMatch(run.stderr, /Rollback problems/);
      assert.deepEqual(gitState(dir), before);
    } finally {
      makeWritable(target);
    }
  });

  it('two concurrent captures in one repository: one is committed, the other refused; nothing else changes', async () => {
    await kubectlEdit(world.rest, 5);
    const dir = newRepo();
    const before = gitState(dir);
    const [a, b] = await Promise.all([cli([...captureArgs(dir), '--branch', 'breakglass/one']), cli([...captureArgs(dir), '--branch', 'breakglass/two'])]);
    const runs = [a, b];
    assert.deepEqual(runs.map((r) => r.code).sort(), [0, 2], runs.map((r) => r.stderr).join('\n'));
    const won = runs[0].code === 0 ? 'breakglass/one' : 'breakglass/two';
    const lost = runs.find((r) => r.code === 2)!;
    const after = gitState(dir);
    assert.deepEqual(after, documented(before, after, dir, { kind: 'captured', branch: won }));
    // While the first runs, the lock refuses; if the first happened to finish before the second reached git, the
    // second meets its result (the capture branch, or the file it planned from changed) and is refused for that.
    assert.match(lost.stderr, /Another capture is running in this repository|the branch of an earlier capture|changed since the capture was planned/);
  });

  it('a push that hangs, then Ctrl-C: the CLI stops the push, keeps the commit on its branch and puts the user back', async () => {
    await kubectlEdit(world.rest, 5);
    const dir = newRepo();
    const scratch = tempDir('rel-hang-');
    dirs.push(scratch);
    const marker = path.join(scratch, 'push-started');
    const script = path.join(scratch, 'hanging-remote.sh');
    // A remote that accepts the connection and never answers (git's ext transport runs this program).
    fs.writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\nexec sleep 120\n`);
    fs.chmodSync(script, 0o755);
    git(dir, 'config', 'protocol.ext.allow', 'always');
    git(dir, 'remote', 'set-url', '--push', 'origin', `ext::${script}`);
    const before = gitState(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/cli.ts'), ...captureArgs(dir), '--push', '--branch', 'breakglass/hang'], { cwd: ROOT, env: { ...process.env, KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!fs.existsSync(marker)) {
        if (Date.now() > deadline) throw new Error(`HANG: the push never reached the remote within 60 s (stderr: ${stderr})`);
        if (child.exitCode !== null) throw new Error(`the CLI exited ${child.exitCode} before pushing: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 20_000))]);
      assert.notEqual(code, 'hang', `HANG: the CLI did not exit within 20 s of Ctrl-C (stderr: ${stderr})`);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /Capture cancelled\. The capture is committed as [0-9a-f]+ on branch breakglass\/hang \(kept, not pushed\)/);
      const after = gitState(dir);
      assert.deepEqual(after, documented(before, after, dir, { kind: 'kept', branch: 'breakglass/hang' }));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
