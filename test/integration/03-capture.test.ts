// Capture end to end in the editor: the real kubectl edits a Deployment → the tree attributes the drift to
// kubectl-edit → capture → only those lines change, comments intact → a commit on a new branch with the
// described message → the user's other changes untouched → the re-diff is clean. Then a kustomize overlay case.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { screenshot } from './index';
import { editorEnv, extensionApi, findResource, git, kubectl, waitFor, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';
import type { CaptureOutcome } from '../../src/extension/captureCommand';
import { dialog, pick, withPrompts } from './prompts';
import * as vscode from 'vscode';

describe('capture live edits into Git (demo world)', function () {
  this.timeout(120_000);
  let api: GitOpsDriftApi;

  before(async () => {
    api = await extensionApi();
    await api.session.refresh();
  });

  it('captures a kubectl edit of a plain manifest: minimal lines, new branch, nothing else touched', async () => {
    const w = world();
    const k = w.scenarios.suspendedKustomization; // Flux is suspended: the edit stays live
    const file = path.join(w.repoDir, 'infra/redis.yaml');
    const before = fs.readFileSync(file, 'utf8');

    // 1. A person fixes production with kubectl edit.
    kubectl(['-n', k.deploymentNamespace, 'edit', `deployment/${k.deployment}`], { env: editorEnv({ replicas: 3, container: 'redis', env: { name: 'REDIS_IO_THREADS', value: '4' } }) });
    const drift = await waitFor('the edit in the tree', () => {
      const r = findResource(api, 'Deployment', k.deploymentNamespace, k.deployment);
      return r?.diff.changes.some((c) => c.path === 'spec.replicas' && c.live === 3) && r.diff.changes.some((c) => c.path.endsWith('env[name=REDIS_IO_THREADS]')) ? r : undefined;
    });
    const replicas = drift.diff.changes.find((c) => c.path === 'spec.replicas')!;
    assert.equal(replicas.manager, 'kubectl-edit');
    assert.equal(drift.diff.changes.find((c) => c.path.endsWith('env[name=REDIS_IO_THREADS]'))!.manager, 'kubectl-edit');

    // 2. The user has unrelated work in progress: one unstaged, one staged change.
    const otherFile = path.join(w.repoDir, 'guestbook/configmap.yaml');
    fs.appendFileSync(otherFile, '# work in progress\n');
    fs.appendFileSync(path.join(w.repoDir, 'README.md'), '\nStaged note.\n');
    git(['add', 'README.md']);
    const headBefore = git(['rev-parse', 'HEAD']);

    // 3. Capture (human edits preselected).
    const { result: outcome } = await withPrompts(
      [
        pick(/^Capture live changes of Deployment .*redis into Git$/, 'picked', (p) => {
          assert.ok(p.picked?.includes('spec.replicas'), `kubectl's change is preselected: ${p.picked}`);
          assert.ok(p.picked?.some((l) => l.endsWith('env[name=REDIS_IO_THREADS]')), `${p.picked}`);
        }),
        dialog(/^Capture \d+ live change\(s\) of Deployment .*redis\?$/, 'Commit on New Branch', (p) => assert.match(p.detail ?? '', /infra\/redis\.yaml/)),
      ],
      () => vscode.commands.executeCommand<CaptureOutcome>('gitopsDrift.captureLive', { context: drift.context, appId: drift.drift.app.id, ref: drift.diff.ref }),
    );
    assert.ok(outcome?.result, 'a commit was made');
    const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
    assert.match(branch, /^breakglass\/infra-deployment-redis-\d{8}-\d{4}$/);
    assert.equal(git(['rev-parse', 'HEAD~1']), headBefore);
    assert.deepEqual(git(['show', '--name-only', '--format=', 'HEAD']).split('\n'), ['infra/redis.yaml']);
    const message = git(['log', '-1', '--format=%B']);
    assert.match(message, /spec\.replicas: 1 → 3/);
    assert.match(message, /REDIS_IO_THREADS/);
    assert.match(message, /kubectl-edit/);
    assert.ok(message.includes(`cluster context ${world().contextName}`), message);

    // Only the captured lines changed; comments and everything else byte-identical.
    const after = fs.readFileSync(file, 'utf8');
    const a = before.split('\n');
    const b = after.split('\n');
    const removed = a.filter((l) => !b.includes(l));
    const added = b.filter((l) => !a.includes(l));
    assert.deepEqual(removed.map((l) => l.trim()), ['replicas: 1']);
    const addedText = added.map((l) => l.trim());
    assert.ok(addedText.includes('replicas: 3'), addedText.join('|'));
    assert.ok(addedText.includes('- name: REDIS_IO_THREADS') && addedText.includes('- name: REDIS_MAXMEMORY'), addedText.join('|'));
    assert.equal(added.length, 5, `replicas + two env items of two lines each: ${addedText.join('|')}`);
    assert.equal(b[0], a[0], 'the leading comment is intact');

    // The user's other work is untouched: still unstaged / still staged.
    const status = git(['status', '--porcelain']).split('\n');
    assert.ok(status.includes(' M guestbook/configmap.yaml'), status.join('|'));
    assert.ok(status.includes('M  README.md'), status.join('|'));

    // Re-diff: the captured fields are in sync between the working tree and live.
    await waitFor('redis in sync after capture', () => findResource(api, 'Deployment', k.deploymentNamespace, k.deployment)?.diff.status === 'Synced', 10_000);
    await screenshot('after-capture');

    // Leave the user's work as it was before this test.
    git(['restore', '--staged', 'README.md']);
    git(['checkout', '--', 'README.md', 'guestbook/configmap.yaml']);
    // Back where the capture started, as after opening the pull request (a capture on its branch would stack).
    git(['checkout', '-q', 'main']);
  });

  it('writes into the kustomize overlay when the app is an overlay', async () => {
    const b = world().scenarios.breakglass;
    const r = findResource(api, 'Deployment', b.namespace, b.deployment)!;
    assert.equal(r.diff.status, 'Modified');
    const { result: outcome } = await withPrompts(
      [pick(/^Capture live changes of Deployment /, 'picked'), dialog(/^Capture \d+ live change\(s\) of Deployment /, 'Commit on New Branch', (p) => assert.match(p.detail ?? '', /overlays\/production/))],
      () => vscode.commands.executeCommand<CaptureOutcome>('gitopsDrift.captureLive', { context: r.context, appId: r.drift.app.id, ref: r.diff.ref }),
    );
    assert.ok(outcome?.result);
    const files = git(['show', '--name-only', '--format=', 'HEAD']).split('\n');
    assert.ok(files.length >= 1 && files.every((f) => f.startsWith('podinfo/overlays/production/')), files.join(', '));
    assert.ok(outcome.explanation.some((e) => /overlays\/production/.test(e)), outcome.explanation.join('\n'));
    await waitFor('podinfo in sync after capture', () => findResource(api, 'Deployment', b.namespace, b.deployment)?.diff.status === 'Synced', 15_000);
    git(['checkout', '-q', 'main']);
  });
});
