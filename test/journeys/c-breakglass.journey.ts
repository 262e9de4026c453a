// Journey (c): breakglass on an app that Argo CD self-heals. A person starts the breakglass from the tree (reason,
// ticket, expiry), fixes live with `kubectl edit` (the pinned kubectl, a scripted $EDITOR), sees the edit survive
// the controller's passes, then ends the breakglass from the tree: the edit is captured into a commit and the app
// resumes.
import * as assert from 'node:assert/strict';
import { editorEnv } from '../integration/kubectlEditor';
import { cluster, journeyWorld } from './current';
import { git, kubectl, kubectlJson, until } from './harness';

const APP = 'guestbook';
const NS = 'guestbook';
const DEPLOYMENT = 'guestbook-ui';

describe('journey (c): breakglass → kubectl edit → survives self-heal → End Breakglass captures and resumes', function () {
  it('pauses, keeps the live fix, captures it and resumes', async function () {
    const w = journeyWorld();
    const { wb } = w;
    await wb.begin('c-breakglass');
    const appPath = [cluster(), APP];
    await wb.waitForDescription(await wb.treeRowAt(appPath), /^Synced · Healthy/, 120_000);

    // Start: reason, ticket, expiry.
    await wb.contextMenu(await wb.treeRowAt(appPath), 'Start Breakglass…');
    await wb.inputBox('checkout latency: scale out and turn on the fast path', { title: /Breakglass on guestbook \(1\/3\)/ });
    await wb.inputBox('INC-4711', { title: /\(2\/3\)/ });
    assert.match(await wb.quickInputTitle(), /\(3\/3\)/);
    await wb.screenshot('breakglass-expiry-prompt');
    await wb.inputBox('2h', { title: /\(3\/3\)/ });
    await wb.notification(/^Breakglass on guestbook\b.*the controller is paused/, 120_000);
    await wb.waitForDescription(await wb.treeRowAt(appPath), /(^|· )breakglass( ·|$)/);
    await wb.screenshot('breakglass-started');
    const started = await kubectlJson(w, ['-n', 'argocd', 'get', 'application', APP]);
    const record = JSON.parse(started.metadata.annotations['gitops-drift.dev/breakglass']);
    assert.equal(record.reason, 'checkout latency: scale out and turn on the fast path');
    assert.equal(record.ticket, 'INC-4711');
    assert.ok(!started.spec.syncPolicy?.automated || started.spec.syncPolicy.automated.enabled === false, 'auto-sync paused');

    // The live fix, with kubectl edit as a person would run it.
    const before = (await kubectlJson(w, ['-n', 'argocd', 'get', 'application', APP])).status?.reconciledAt;
    await kubectl(w, ['-n', NS, 'edit', `deployment/${DEPLOYMENT}`], editorEnv({ replicas: 4, container: DEPLOYMENT, env: { name: 'FAST_PATH', value: 'on' } }));

    // It survives self-heal: the controller sees the drift (OutOfSync) and keeps passing over the app without
    // reverting it, past the moment self-heal would have acted.
    const seen = await until('Argo CD to see the live edit as OutOfSync', async () => {
      const app = await kubectlJson(w, ['-n', 'argocd', 'get', 'application', APP]);
      return app.status?.sync?.status === 'OutOfSync' && app.status.reconciledAt !== before && app.status.reconciledAt;
    }, 60_000);
    // Controller passes after self-heal would have fired (1.5 s after it saw the drift): ask for a refresh as
    // `argocd app get --refresh` does and wait until a pass has handled it, until one ran late enough.
    await until('a controller pass later than the self-heal delay', async () => {
      await kubectl(w, ['-n', 'argocd', 'annotate', '--overwrite', 'application', APP, 'argocd.argoproj.io/refresh=normal']);
      const handled = await until('the controller to handle the refresh', async () => {
        const app = await kubectlJson(w, ['-n', 'argocd', 'get', 'application', APP]);
        return !app.metadata.annotations?.['argocd.argoproj.io/refresh'] && app;
      });
      return Date.parse(handled.status.reconciledAt) >= Date.parse(seen) + 3_000;
    }, 60_000);
    const live = await kubectlJson(w, ['-n', NS, 'get', 'deployment', DEPLOYMENT]);
    assert.equal(live.spec.replicas, 4, 'the live edit was not reverted');
    assert.ok(live.spec.template.spec.containers[0].env?.some((e: any) => e.name === 'FAST_PATH'), 'the env var is still there');
    const resource = await wb.treeRowAt([...appPath, 'Deployment', DEPLOYMENT]);
    assert.match(await wb.waitForDescription(resource, /^modified/, 60_000), /kubectl-edit/);
    await wb.screenshot('live-edit-survives-while-paused');

    // End: capture and resume.
    await wb.contextMenu(await wb.treeRowAt(appPath), 'End Breakglass…');
    const end = await wb.dialog();
    assert.match(end.message, /End breakglass on guestbook/);
    assert.match(end.detail, new RegExp(DEPLOYMENT));
    await wb.screenshot('end-breakglass-dialog');
    await wb.dialogButton('Capture and Resume');
    // Which of the live changes to capture: the ones kubectl wrote are preselected; keep both.
    assert.match(await wb.quickInputTitle(), /Capture live changes of Deployment guestbook\/guestbook-ui/);
    assert.equal((await wb.quickPickChecked()).length, 2);
    await wb.screenshot('capture-pick');
    await wb.quickInputAccept();
    const plan = await wb.dialog();
    assert.match(plan.message, /Capture 2 live change\(s\) of Deployment guestbook\/guestbook-ui/);
    await wb.screenshot('capture-plan');
    await wb.dialogButton('Commit on New Branch');
    const done = await wb.notification(/^Breakglass ended on guestbook/, 120_000, { recorded: true });
    await wb.screenshot('breakglass-ended');
    const m = /captured on (\S+);/.exec(done);
    assert.ok(m, `the branch in "${done}"`);
    assert.match(done, /the controller is resumed/);

    // The commit, and the app resumed with its breakglass closed.
    const file = git(w, ['show', `${m[1]}:guestbook/deployment.yaml`]);
    assert.match(file, /replicas: 4/);
    assert.match(file, /FAST_PATH/);
    assert.match(git(w, ['log', '-1', '--format=%B', m[1]]), /kubectl-edit/);
    await until('auto-sync resumed', async () => {
      const app = await kubectlJson(w, ['-n', 'argocd', 'get', 'application', APP]);
      const auto = app.spec.syncPolicy?.automated;
      return auto && auto.enabled !== false && auto.selfHeal === true;
    });
    // No breakglass badge any more (the branch name in the description may still say "breakglass/…").
    await wb.waitForDescription(await wb.treeRowAt(appPath), /^(?!(.* · )?breakglass( ·|$))/, 60_000);
    await wb.screenshot('resumed');
    git(w, ['checkout', '--quiet', 'main']);
    const shown = await wb.recordedNotifications();
    assert.deepEqual(shown.filter((n) => n.severity === 'error'), []);
    // One result for the one action: the capture inside End Breakglass has no toast of its own.
    assert.deepEqual(shown.filter((n) => /^Captured /.test(n.message)), []);
  });
});
