import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeUnwritable, makeWritable } from '../capture/unwritable';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { FieldChange, ResourceDiff } from '../../../src/core/model';
import { planCapture } from '../../../src/core/capture/planCapture';
import { captureCommit, isDirtyTargetError, isStackedCaptureError } from '../../../src/core/git/captureCommit';
import { formatCaptureMessage } from '../../../src/core/git/captureMessage';
import { buildBranchName } from '../../../src/core/git/branchName';

const DEPLOY = `# Web tier, owned by team-a
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop # prod namespace
spec:
  replicas: 2 # baseline
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        env:
        - name: MODE
          value: prod
        # keep ports last
        ports:
        - containerPort: 80
`;

const REPLICAS: FieldChange = { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T02:10:00Z' };
const ENV: FieldChange = {
  path: 'spec.template.spec.containers[name=web].env[name=LOG_LEVEL]',
  category: 'live-only',
  live: { name: 'LOG_LEVEL', value: 'debug' },
  manager: 'kubectl-edit',
  time: '2026-11-28T02:10:00Z',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A repo with a committed manifest, an unstaged change (notes.md) and a staged change (staged.txt). */
function makeRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capture-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY);
  writeFileSync(path.join(dir, 'notes.md'), 'notes v1\n');
  writeFileSync(path.join(dir, 'staged.txt'), 'staged v1\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  writeFileSync(path.join(dir, 'notes.md'), 'notes v2 (unstaged work)\n');
  writeFileSync(path.join(dir, 'staged.txt'), 'staged v2 (staged work)\n');
  git(dir, 'add', 'staged.txt');
  writeFileSync(path.join(dir, 'untracked.txt'), 'scratch\n');
  return dir;
}

function diffFor(dir: string, changes: FieldChange[]): ResourceDiff {
  return {
    ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
    app: 'shop',
    status: 'Modified',
    changes,
    source: { file: path.join(dir, 'deploy.yaml'), documentIndex: 0, startLine: 1, endLine: 25 },
  };
}

async function planned(dir: string) {
  const diff = diffFor(dir, [REPLICAS, ENV]);
  const plan = await planCapture({ diff, changes: diff.changes });
  const message = formatCaptureMessage({ ref: diff.ref, changes: diff.changes, app: 'shop', context: 'kind-prod' });
  return { plan, message };
}

/** What of the user's state must survive every capture, success or failure. */
function assertUserStateIntact(dir: string): void {
  assert.equal(readFileSync(path.join(dir, 'notes.md'), 'utf8'), 'notes v2 (unstaged work)\n');
  assert.equal(readFileSync(path.join(dir, 'staged.txt'), 'utf8'), 'staged v2 (staged work)\n');
  assert.equal(readFileSync(path.join(dir, 'untracked.txt'), 'utf8'), 'scratch\n');
  assert.equal(git(dir, 'diff', '--cached', '--name-only').trim(), 'staged.txt', 'staged.txt still staged, nothing else');
  assert.equal(git(dir, 'show', ':staged.txt'), 'staged v2 (staged work)\n');
  assert.equal(git(dir, 'diff', '--name-only').trim(), 'notes.md', 'notes.md still an unstaged change');
}

function assertRestored(dir: string, head: { branch?: string; commit: string }, branch: string): void {
  assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), DEPLOY);
  assert.equal(git(dir, 'rev-parse', 'HEAD').trim(), head.commit);
  if (head.branch) assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), head.branch);
  else assert.throws(() => git(dir, 'symbolic-ref', '-q', 'HEAD'), 'HEAD is detached again');
  assert.equal(git(dir, 'status', '--porcelain', '--', 'deploy.yaml'), '');
  void branch;
  assertUserStateIntact(dir);
}

describe('git/captureCommit', function () {
  this.timeout(60000);
  const dirs: string[] = [];
  const repo = (): string => {
    const d = makeRepo();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('commits only the captured file on a new branch, changing only the captured lines', async () => {
    const dir = repo();
    const main = git(dir, 'rev-parse', 'HEAD').trim();
    const { plan, message } = await planned(dir);
    const branch = buildBranchName({ app: 'shop', kind: 'Deployment', name: 'web', now: new Date(Date.UTC(2026, 10, 28, 2, 15)) });
    assert.equal(branch, 'breakglass/shop-deployment-web-20261128-0215');
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch, message });
    assert.equal(res.branch, branch);
    assert.deepEqual(res.previous, { branch: 'main', commit: main });
    assert.deepEqual(res.files, ['deploy.yaml']);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), branch);
    assert.equal(git(dir, 'rev-parse', 'main').trim(), main, 'main untouched');
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD').trim(), 'deploy.yaml');
    const body = git(dir, 'log', '-1', '--format=%B');
    assert.match(body, /^Capture live 2 changes to Deployment shop\/web\n/);
    assert.match(body, /- spec\.replicas: 2 → 5 \(kubectl-edit at 2026-11-28T02:10:00Z\)/);
    assert.match(body, /env\[name=LOG_LEVEL\]: \(absent\) → \{"name":"LOG_LEVEL","value":"debug"\}/);
    assert.match(body, /cluster context kind-prod, app shop/);
    // Only the captured lines changed; comments intact.
    const patch = git(dir, 'diff', '-U0', 'HEAD~1', 'HEAD', '--', 'deploy.yaml');
    const changed = patch.split('\n').filter((l) => /^[+-][^+-]/.test(l));
    assert.deepEqual(changed, ['-  replicas: 2 # baseline', '+  replicas: 5 # baseline', '+        - name: LOG_LEVEL', '+          value: debug']);
    const committed = parse(git(dir, 'show', 'HEAD:deploy.yaml'));
    assert.equal(committed.spec.replicas, 5);
    assert.deepEqual(committed.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'prod' }, { name: 'LOG_LEVEL', value: 'debug' }]);
    assert.equal(git(dir, 'status', '--porcelain', '--', 'deploy.yaml'), '', 'working tree equals the commit');
    assertUserStateIntact(dir);
  });

  it('dirty target file: typed error, nothing touched; proceeding when allowed', async () => {
    const dir = repo();
    const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
    const dirtyText = DEPLOY.replace('# Web tier', '# Web tier (edited locally)');
    writeFileSync(path.join(dir, 'deploy.yaml'), dirtyText);
    const { plan, message } = await planned(dir);
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/dirty', message }), (e) => {
      assert.ok(isDirtyTargetError(e));
      assert.deepEqual(e.files, ['deploy.yaml']);
      assert.equal(e.reason, 'conflict');
      return true;
    });
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), dirtyText);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'main');
    assert.equal(git(dir, 'branch', '--list', 'cap/dirty'), '');
    assert.equal(git(dir, 'rev-parse', 'HEAD').trim(), head.commit);
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/dirty', message, allowDirty: true });
    assert.equal(git(dir, 'show', 'HEAD:deploy.yaml'), plan.edits[0].after);
    assert.match(plan.edits[0].after, /edited locally/);
    assert.equal(res.previous.branch, 'main');
  });

  it('refuses when the file changed after planning, and when the branch exists', async () => {
    const dir = repo();
    const { plan, message } = await planned(dir);
    writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY + '# later\n');
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/x', message }), /changed since the capture was planned/);
    writeFileSync(path.join(dir, 'deploy.yaml'), DEPLOY);
    git(dir, 'branch', 'cap/taken');
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/taken', message }), /already exists/);
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'bad..name', message }), /not a valid branch name/);
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), DEPLOY);
    assertUserStateIntact(dir);
  });

  it('failing pre-commit hook: restores files, index, branch; deletes the new branch and created files', async () => {
    const dir = repo();
    const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "lint failed: no breakglass today" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const { plan, message } = await planned(dir);
    const created = { file: path.join(dir, 'overlays', 'patch-deployment-web.yaml'), before: undefined, after: 'kind: Deployment\n' };
    await assert.rejects(captureCommit({ repoDir: dir, files: [...plan.edits, created], branch: 'cap/hook', message }), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, 'git');
      assert.match(e.message, /Capture commit failed: .*no breakglass today/);
      assert.match(e.message, /Restored the touched files \(deploy\.yaml, overlays\/patch-deployment-web\.yaml\) and branch main/);
      return true;
    });
    assertRestored(dir, head, 'cap/hook');
    assert.equal(existsSync(created.file), false, 'created file removed');
    assert.equal(existsSync(path.dirname(created.file)), false, 'and the directory made for it');
    assert.equal(git(dir, 'ls-files', 'overlays'), '', 'created file not left in the index');
    assert.equal(git(dir, 'branch', '--list', 'cap/hook'), '', 'empty capture branch deleted');
  });

  it('detached HEAD: captures onto a new branch; a failure returns to the same detached commit', async () => {
    const dir = repo();
    const commit = git(dir, 'rev-parse', 'HEAD').trim();
    git(dir, 'checkout', '-q', '--detach');
    const { plan, message } = await planned(dir);
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\nexit 1\n');
    chmodSync(hook, 0o755);
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/detached', message }), /detached HEAD at/);
    assertRestored(dir, { commit }, 'cap/detached');
    rmSync(hook);
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/detached', message });
    assert.deepEqual(res.previous, { branch: undefined, commit });
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'cap/detached');
    assert.equal(git(dir, 'rev-parse', 'HEAD~1').trim(), commit);
    assertUserStateIntact(dir);
  });

  it('pushes to the tracking remote and never force-pushes; a rejected push restores the user', async () => {
    const dir = repo();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'capture-remote-'));
    dirs.push(remote);
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
    const { plan, message } = await planned(dir);

    const hook = path.join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "protected: captures need review" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/rejected', message, push: true }), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, 'git');
      assert.match(e.message, /^Push failed: /);
      assert.match(e.message, /kept, not pushed/);
      return true;
    });
    assertRestored(dir, head, 'cap/rejected');
    const kept = git(dir, 'rev-parse', 'cap/rejected').trim();
    assert.equal(git(dir, 'rev-parse', `${kept}~1`).trim(), head.commit, 'the capture commit is kept on its branch');
    assert.equal(git(remote, 'branch', '--list', 'cap/rejected'), '');

    rmSync(hook);
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/pushed', message, push: true });
    assert.equal(res.pushed, true);
    assert.equal(res.remote, 'origin');
    assert.equal(git(remote, 'rev-parse', 'refs/heads/cap/pushed').trim(), res.commit);
    assert.equal(git(dir, 'rev-parse', '--abbrev-ref', 'cap/pushed@{upstream}').trim(), 'origin/cap/pushed');
    assert.equal(res.compareUrl, undefined, 'a local path remote has no web page');
    assertUserStateIntact(dir);
  });

  /** A remote that accepts the connection and never answers (offline: git's ext transport runs `sleep`). */
  const hangingRemote = (dir: string): void => {
    git(dir, 'config', 'protocol.ext.allow', 'always'); // this test repository only
    git(dir, 'remote', 'add', 'origin', 'ext::sleep 30');
  };
  const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
    Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`still running after ${ms} ms`)), ms).unref())]);

  it('a push to a remote that never answers times out and returns the user to their branch, work intact', async () => {
    const dir = repo();
    hangingRemote(dir);
    const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
    const { plan, message } = await planned(dir);
    const started = Date.now();
    await assert.rejects(within(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/hang', message, push: true, pushTimeoutMs: 1500 }), 15000), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, 'timeout', e.message);
      assert.match(e.message, /did not answer within 1\.5 s/);
      assert.match(e.message, /kept, not pushed/);
      return true;
    });
    assert.ok(Date.now() - started < 10000);
    assertRestored(dir, head, 'cap/hang');
    assert.equal(git(dir, 'rev-parse', 'cap/hang~1').trim(), head.commit, 'the capture commit is kept on its branch');
  });

  it('an abort (Ctrl-C) during a hanging push returns the user to their branch, work intact', async () => {
    const dir = repo();
    hangingRemote(dir);
    const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
    const { plan, message } = await planned(dir);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500).unref();
    await assert.rejects(within(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/hang-abort', message, push: true, signal: ac.signal }), 15000), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, 'cancelled', e.message);
      return true;
    });
    assertRestored(dir, head, 'cap/hang-abort');
  });

  it('builds the compare URL from the pushed remote', async () => {
    const dir = repo();
    const remote = mkdtempSync(path.join(os.tmpdir(), 'capture-remote-'));
    dirs.push(remote);
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    // Pushes go to the local bare repo; the fetch URL names GitHub.
    git(dir, 'remote', 'set-url', 'origin', 'git@github.com:acme/shop.git');
    git(dir, 'remote', 'set-url', '--push', 'origin', remote);
    const { plan, message } = await planned(dir);
    const res = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'breakglass/shop-web', message, push: true });
    assert.equal(res.compareUrl, 'https://github.com/acme/shop/compare/main...breakglass/shop-web?expand=1');
  });

  it('back-to-back captures do not stack silently: on a capture branch the next starts from its base; the same file is refused; stack only when asked', async () => {
    const dir = repo();
    const main = git(dir, 'rev-parse', 'HEAD').trim();
    const { plan, message } = await planned(dir);
    const first = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'breakglass/shop-web-1', message });
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'breakglass/shop-web-1', 'the first capture leaves the user on its branch');
    const captured = readFileSync(path.join(dir, 'deploy.yaml'), 'utf8');
    // Another change of the same file, planned from the file as it now is: it cannot start from main with this plan.
    const second = [{ file: path.join(dir, 'deploy.yaml'), before: captured, after: captured.replace('nginx:1.27', 'nginx:1.28') }];
    const before = { head: first.commit, branches: git(dir, 'branch', '--list'), status: git(dir, 'status', '--porcelain') };
    await assert.rejects(captureCommit({ repoDir: dir, files: second, branch: 'breakglass/shop-web-2', message: 'second' }), (e: Error & { reason?: string }) => {
      assert.ok(isStackedCaptureError(e), String(e));
      assert.equal(e.reason, 'conflict');
      assert.match(e.message, /HEAD is breakglass\/shop-web-1, the branch of an earlier capture \(started from main\), and that capture changed deploy\.yaml too/);
      assert.match(e.message, /git switch main/);
      return true;
    });
    assert.deepEqual({ head: git(dir, 'rev-parse', 'HEAD').trim(), branches: git(dir, 'branch', '--list'), status: git(dir, 'status', '--porcelain') }, before, 'nothing changed');
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), captured);
    // A capture of another file starts from main: the earlier capture's change is not in it, nor in the work tree now.
    const other = { file: path.join(dir, 'other.yaml'), before: undefined, after: 'kind: ConfigMap\n' };
    const fromMain = await captureCommit({ repoDir: dir, files: [other], branch: 'breakglass/other', message: 'other' });
    assert.equal(fromMain.base, 'main');
    assert.equal(git(dir, 'rev-parse', `${fromMain.commit}~1`).trim(), main);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'breakglass/other');
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), DEPLOY, "the earlier capture's file is main's again");
    assert.equal(git(dir, 'rev-parse', 'breakglass/shop-web-1').trim(), first.commit, 'the earlier capture is kept');
    assertUserStateIntact(dir);
    // Asked for: it stacks on HEAD, and the stacked branch keeps the original base.
    const stacked = await captureCommit({ repoDir: dir, files: [{ file: path.join(dir, 'deploy.yaml'), before: DEPLOY, after: DEPLOY.replace('nginx:1.27', 'nginx:1.29') }], branch: 'breakglass/stacked', message: 'stacked', stack: true });
    assert.equal(git(dir, 'rev-parse', `${stacked.commit}~1`).trim(), fromMain.commit);
    assert.equal(stacked.base, 'breakglass/other', 'it starts on HEAD');
    assert.equal(git(dir, 'config', '--get', 'branch.breakglass/stacked.gitopsDriftBase').trim(), 'main', 'and records the original base');
    assertUserStateIntact(dir);
  });

  it('starting from the earlier capture\'s base, a failure puts the user back on that capture branch with its files', async () => {
    const dir = repo();
    const { plan, message } = await planned(dir);
    const first = await captureCommit({ repoDir: dir, files: plan.edits, branch: 'breakglass/first', message });
    const captured = readFileSync(path.join(dir, 'deploy.yaml'), 'utf8');
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\nexit 1\n');
    chmodSync(hook, 0o755);
    await assert.rejects(captureCommit({ repoDir: dir, files: [{ file: path.join(dir, 'other.yaml'), before: undefined, after: 'kind: ConfigMap\n' }], branch: 'breakglass/fails', message: 'x' }), /Capture commit failed.*branch breakglass\/first/);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'breakglass/first');
    assert.equal(git(dir, 'rev-parse', 'HEAD').trim(), first.commit);
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), captured, "the earlier capture's file is back");
    assert.equal(existsSync(path.join(dir, 'other.yaml')), false);
    assert.equal(git(dir, 'branch', '--list', 'breakglass/fails'), '');
    assert.equal(git(dir, 'status', '--porcelain', '--', 'deploy.yaml', 'other.yaml'), '');
    assertUserStateIntact(dir);
  });

  it('two captures at once in one repository: the second is refused while the first runs, and the first is not disturbed', async () => {
    const dir = repo();
    const main = git(dir, 'rev-parse', 'HEAD').trim();
    const { plan, message } = await planned(dir);
    const results = await Promise.allSettled([captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/one', message }), captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/two', message })]);
    // Which one takes the lock first is up to the scheduler: exactly one wins, the other is refused.
    const won = results.findIndex((r) => r.status === 'fulfilled');
    assert.notEqual(won, -1, results.map((r) => String((r as PromiseRejectedResult).reason)).join('; '));
    const lost = results[1 - won];
    assert.equal(lost.status, 'rejected');
    assert.match(String((lost as PromiseRejectedResult).reason), /Another capture is running in this repository/);
    const [winner, loser] = won === 0 ? ['cap/one', 'cap/two'] : ['cap/two', 'cap/one'];
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), winner);
    assert.equal(git(dir, 'rev-parse', 'HEAD~1').trim(), main);
    assert.equal(git(dir, 'branch', '--list', loser), '');
    assertUserStateIntact(dir);
    // The lock is gone afterwards; one left by a process that no longer exists does not block.
    writeFileSync(path.join(dir, '.git', 'gitops-drift-capture.lock'), `999999999 ${os.hostname()} 2026-01-01T00:00:00Z\n`);
    git(dir, 'switch', '-q', 'main');
    const again = await captureCommit({ repoDir: dir, files: [{ file: path.join(dir, 'notes2.yaml'), before: undefined, after: 'a: 1\n' }], branch: 'cap/three', message });
    assert.equal(again.branch, 'cap/three');
    assert.equal(existsSync(path.join(dir, '.git', 'gitops-drift-capture.lock')), false);
  });

  it('a capture from a detached HEAD records that commit as its base', async () => {
    const dir = repo();
    const commit = git(dir, 'rev-parse', 'HEAD').trim();
    git(dir, 'checkout', '-q', '--detach');
    const { plan, message } = await planned(dir);
    await captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/from-detached', message });
    const now = readFileSync(path.join(dir, 'deploy.yaml'), 'utf8');
    await assert.rejects(captureCommit({ repoDir: dir, files: [{ file: path.join(dir, 'deploy.yaml'), before: now, after: now.replace('nginx:1.27', 'nginx:1.28') }], branch: 'cap/next', message: 'x' }), (e: Error) => {
      assert.match(e.message, new RegExp(`started from commit ${commit.slice(0, 12)}`));
      return true;
    });
    const next = await captureCommit({ repoDir: dir, files: [{ file: path.join(dir, 'other.yaml'), before: undefined, after: 'a: 1\n' }], branch: 'cap/next', message: 'x' });
    assert.equal(git(dir, 'rev-parse', `${next.commit}~1`).trim(), commit);
    assert.equal(next.base, commit);
  });


  it('honours an aborted signal before touching anything', async () => {
    const dir = repo();
    const { plan, message } = await planned(dir);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/abort', message, signal: ac.signal }));
    assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), DEPLOY);
    assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'main');
    assertUserStateIntact(dir);
  });
});

describe('git/captureCommit with a read-only target', function () {
  this.timeout(60000);
  it('changes nothing and says which file could not be written, without a rollback report', async function () {
    const dir = makeRepo();
    const target = path.join(dir, 'deploy.yaml');
    let locked = false;
    try {
      const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
      const { plan, message } = await planned(dir);
      if (!makeUnwritable(target)) this.skip();
      locked = true;
      await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/readonly', message }), (e: Error) => {
        assert.match(e.message, /deploy\.yaml/);
        assert.doesNotMatch(e.message, /Rollback problems|Restored the touched files/);
        return true;
      });
      assert.equal(readFileSync(target, 'utf8'), DEPLOY);
      assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'main');
      assert.equal(git(dir, 'rev-parse', 'HEAD').trim(), head.commit);
      assert.equal(git(dir, 'branch', '--list', 'cap/readonly'), '');
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('gitops-drift')), [], 'no temporary file left');
    } finally {
      if (locked) makeWritable(target);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git/captureCommit with a staged target file', function () {
  this.timeout(60000);
  it('restores the staged version of a target file after a failed commit (allowDirty)', async () => {
    const dir = makeRepo();
    try {
      const staged = DEPLOY.replace('# baseline', '# baseline (staged)');
      writeFileSync(path.join(dir, 'deploy.yaml'), staged);
      git(dir, 'add', 'deploy.yaml');
      const worktree = staged.replace('team-a', 'team-b');
      writeFileSync(path.join(dir, 'deploy.yaml'), worktree);
      const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, '#!/bin/sh\nexit 1\n');
      chmodSync(hook, 0o755);
      const { plan, message } = await planned(dir);
      await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/staged', message }), (e) => isDirtyTargetError(e));
      await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/staged', message, allowDirty: true }), /Capture commit failed/);
      assert.equal(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8'), worktree);
      assert.equal(git(dir, 'show', ':deploy.yaml'), staged, 'staged version restored');
      assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD').trim(), 'main');
      assert.deepEqual(git(dir, 'diff', '--cached', '--name-only').trim().split('\n'), ['deploy.yaml', 'staged.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git/captureCommit with created files', function () {
  this.timeout(60000);
  it('commits a created patch file together with the edited kustomization, and nothing else', async () => {
    const dir = makeRepo();
    try {
      const k = path.join(dir, 'overlay', 'kustomization.yaml');
      execFileSync('mkdir', ['-p', path.dirname(k)]);
      writeFileSync(k, 'resources:\n  - ../base\n');
      git(dir, 'add', 'overlay');
      git(dir, 'commit', '-q', '-m', 'overlay', '--', 'overlay');
      const edits = [
        { file: k, before: 'resources:\n  - ../base\n', after: 'resources:\n  - ../base\npatches:\n  - path: patch-deployment-web.yaml\n' },
        { file: path.join(dir, 'overlay', 'patch-deployment-web.yaml'), before: undefined, after: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n' },
      ];
      const res = await captureCommit({ repoDir: path.join(dir, 'overlay'), files: edits, branch: 'cap/overlay', message: 'capture' });
      assert.deepEqual(res.files, ['overlay/kustomization.yaml', 'overlay/patch-deployment-web.yaml']);
      assert.deepEqual(git(dir, 'show', '--name-status', '--format=', 'HEAD').trim().split('\n'), ['M\toverlay/kustomization.yaml', 'A\toverlay/patch-deployment-web.yaml']);
      assert.equal(git(dir, 'status', '--porcelain', '--', 'overlay'), '');
      assertUserStateIntact(dir);
      await assert.rejects(
        captureCommit({ repoDir: dir, files: [{ file: path.join(os.tmpdir(), 'elsewhere.yaml'), before: undefined, after: 'a: 1\n' }], branch: 'cap/outside', message: 'x' }),
        /outside the repository/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git/captureCommit cancelled mid-commit', function () {
  this.timeout(60000);
  it('an abort while a slow hook runs kills git and restores everything', async () => {
    const dir = makeRepo();
    try {
      const head = { branch: 'main', commit: git(dir, 'rev-parse', 'HEAD').trim() };
      const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(hook, '#!/bin/sh\nsleep 5\n');
      chmodSync(hook, 0o755);
      const { plan, message } = await planned(dir);
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(), 700);
      await assert.rejects(captureCommit({ repoDir: dir, files: plan.edits, branch: 'cap/cancel', message, signal: ac.signal }), (e: Error & { reason?: string }) => {
        assert.equal(e.reason, 'cancelled', e.message);
        return true;
      });
      assert.ok(Date.now() - started < 4500, 'did not wait for the hook');
      assert.equal(existsSync(path.join(dir, '.git', 'index.lock')), false, 'no stale index lock');
      assertRestored(dir, head, 'cap/cancel');
      assert.equal(git(dir, 'branch', '--list', 'cap/cancel'), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git/captureCommit through a symlinked checkout', function () {
  this.timeout(60000);
  it('accepts file paths that reach the repository through a symlink', async () => {
    const dir = makeRepo();
    const link = path.join(os.tmpdir(), `capture-link-${process.pid}-${Date.now()}`);
    try {
      symlinkSync(dir, link);
      const diff = diffFor(link, [REPLICAS]);
      const plan = await planCapture({ diff, changes: diff.changes });
      const res = await captureCommit({ repoDir: link, files: plan.edits, branch: 'cap/link', message: 'capture' });
      assert.deepEqual(res.files, ['deploy.yaml']);
      assert.match(git(dir, 'show', 'HEAD:deploy.yaml'), /replicas: 5 # baseline/);
      assertUserStateIntact(dir);
    } finally {
      rmSync(link, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git/captureCommit with glob characters in file names (issue 18 item 10)', function () {
  this.timeout(60000);
  let dir: string;
  before(() => (dir = makeRepo()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('matches c/web[1].yaml literally: c/web1.yaml (unstaged work) is neither reported dirty nor committed', async () => {
    execFileSync('mkdir', ['-p', path.join(dir, 'c')]);
    writeFileSync(path.join(dir, 'c/web1.yaml'), 'v1\n');
    git(dir, 'add', '--', 'c/web1.yaml');
    git(dir, 'commit', '-q', '-m', 'web1');
    writeFileSync(path.join(dir, 'c/web1.yaml'), 'v2 (unstaged work)\n');
    const target = path.join(dir, 'c/web[1].yaml');
    writeFileSync(target, 'a: 1\n');
    git(dir, 'add', '--', ':(literal)c/web[1].yaml');
    git(dir, 'commit', '-q', '-m', 'web[1]');
    const res = await captureCommit({ repoDir: dir, files: [{ file: target, before: 'a: 1\n', after: 'a: 2\n' }], branch: 'breakglass/literal', message: 'capture' });
    assert.deepEqual(res.files, ['c/web[1].yaml']);
    assert.deepEqual(git(dir, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n'), ['c/web[1].yaml']);
    assert.equal(readFileSync(path.join(dir, 'c/web1.yaml'), 'utf8'), 'v2 (unstaged work)\n');
    assert.equal(git(dir, 'status', '--porcelain', '--', ':(literal)c/web1.yaml').trim(), 'M c/web1.yaml');
  });
});

describe('git/captureCommit never runs a repository-configured fsmonitor (issue 18 item 11)', function () {
  this.timeout(60000);
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a capture (status, add, commit, rollback) does not run core.fsmonitor from the repository config', async function () {
    if (process.platform === 'win32') this.skip();
    dir = makeRepo();
    const marker = path.join(dir, '..', `${path.basename(dir)}-fsmonitor-ran`);
    const hook = path.join(dir, '..', `${path.basename(dir)}-fsmonitor.sh`);
    writeFileSync(hook, `#!/bin/sh\necho ran >> '${marker}'\nexit 1\n`);
    chmodSync(hook, 0o755);
    try {
      git(dir, 'config', 'core.fsmonitor', hook);
      // The fixture really runs it: a plain status in this repository calls the script.
      execFileSync('git', ['status', '--porcelain'], { cwd: dir, stdio: 'ignore' });
      assert.ok(existsSync(marker), 'fixture: git status runs the configured fsmonitor');
      rmSync(marker);
      const { plan, message } = await planned(dir);
      // A capture whose commit fails (pre-commit hook) goes through the rollback path (rm --cached, update-index) …
      const created = { file: path.join(dir, 'overlays', 'patch.yaml'), before: undefined, after: 'kind: Deployment\n' };
      const preCommit = path.join(dir, '.git', 'hooks', 'pre-commit');
      writeFileSync(preCommit, '#!/bin/sh\nexit 1\n');
      chmodSync(preCommit, 0o755);
      await assert.rejects(captureCommit({ repoDir: dir, files: [...plan.edits, created], branch: 'capture/rolled-back', message, allowDirty: true }), /Capture commit failed/);
      rmSync(preCommit);
      // … and a successful one through status, add and commit.
      await captureCommit({ repoDir: dir, files: [...plan.edits, created], branch: 'capture/fsmonitor', message });
      assert.equal(existsSync(marker), false, 'the repository-configured fsmonitor must not run during a capture');
    } finally {
      rmSync(marker, { force: true });
      rmSync(hook, { force: true });
    }
  });
});
