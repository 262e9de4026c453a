// Driving Argo CD and Flux from the editor against the simulated controllers: sync, the production guard, the
// ApplicationSet warning, Flux resume / reconcile / suspend, and the guided breakglass end to end.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { screenshot } from './index';
import { editorEnv, extensionApi, findResource, git, kubectl, sleep, waitFor, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';
import type { SyncFlowResult } from '../../src/core/flows';
import { dialog, input, pick, withPrompts } from './prompts';

function getJson(args: string[]): any {
  return JSON.parse(kubectl([...args, '-o', 'json']));
}

function app(name: string): any {
  return getJson(['-n', 'argocd', 'get', 'applications.argoproj.io', name]);
}

describe('Argo CD and Flux controls (demo world)', function () {
  this.timeout(180_000);
  let api: GitOpsDriftApi;
  const loc = (name: string) => {
    const a = api.session.index.allApps().find((x) => x.drift.app.name === name);
    assert.ok(a, `app ${name} is in the tree`);
    return { context: a.context, appId: a.drift.app.id };
  };

  before(async () => {
    api = await extensionApi();
    await api.session.refresh();
  });

  it('refuses a prune sync on a production context without the typed app name', async () => {
    const cfg = vscode.workspace.getConfiguration('gitopsDrift');
    await cfg.update('productionContextPattern', `^${world().contextName}$`, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('refreshed after the setting', () => api.session.snapshot?.clusters[0]?.apps.length);
      const startedBefore = app('podinfo-staging').status?.operationState?.startedAt;
      const { result: r } = await withPrompts(
        [
          pick(/^Sync podinfo-staging$/, 'Sync and Prune', (p) => assert.deepEqual(p.options, ['Sync', 'Sync and Prune', 'Dry Run'])),
          // The impact preview (issue 15) comes before the guard.
          dialog(/^Sync podinfo-staging: .*creates 1 object, prunes 1 object/, 'Sync'),
          input(new RegExp(`^Sync with prune on production context ${world().contextName}$`), 'not-the-name', (p) => assert.match(p.detail ?? '', /Type the app name "podinfo-staging" to confirm/)),
        ],
        () => vscode.commands.executeCommand<{ cancelled?: boolean }>('gitopsDrift.sync', loc('podinfo-staging')),
      );
      assert.equal(r?.cancelled, true);
      await sleep(500);
      const now = app('podinfo-staging');
      assert.equal(now.operation, undefined, 'no operation was requested');
      assert.equal(now.status?.operationState?.startedAt, startedBefore);
    } finally {
      await cfg.update('productionContextPattern', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('syncs an OutOfSync app with prune and reports the result', async () => {
    const w = world();
    await waitFor('apps back after the setting change', () => api.session.index.allApps().some((a) => a.drift.app.name === 'podinfo-staging'));
    const { result } = await withPrompts(
      [
        pick(/^Sync podinfo-staging$/, 'Sync and Prune'),
        dialog(/^Sync podinfo-staging: .*creates 1 object, prunes 1 object/, 'Sync', (p) => {
          assert.match(p.detail ?? '', /^create {2}Ingress podinfo-staging\/podinfo$/m);
          assert.match(p.detail ?? '', new RegExp(`^prune {3}ConfigMap podinfo-staging/${w.scenarios.pruneCandidate.name}$`, 'm'));
        }),
      ],
      () => vscode.commands.executeCommand<SyncFlowResult>('gitopsDrift.sync', loc('podinfo-staging')),
    );
    const outcome = result.outcome!;
    assert.equal(outcome.phase, 'Succeeded', outcome.message);
    assert.ok(outcome.resources.some((r) => r.kind === 'Ingress' && r.status === 'Synced'));
    assert.ok(outcome.resources.some((r) => r.name === w.scenarios.pruneCandidate.name && r.status === 'Pruned'));
    await waitFor('staging Synced', () => app('podinfo-staging').status?.sync?.status === 'Synced', 10_000);
    const m = w.scenarios.missingLive;
    await waitFor('Ingress no longer missing in the tree', () => findResource(api, m.kind, m.namespace, m.name)?.diff.status === 'Synced', 10_000);
    const p = w.scenarios.pruneCandidate;
    // The deletion reaches the tree through its own watch event, which may come after the Ingress's.
    await waitFor('the pruned ConfigMap gone from the tree', () => findResource(api, p.kind, p.namespace, p.name) === undefined, 10_000);
  });

  it('warns that an ApplicationSet would undo a pause, and changes nothing when cancelled', async () => {
    const s = world().scenarios.appSetOwned;
    const before = app(s.app).spec.syncPolicy;
    const { result: r } = await withPrompts(
      [dialog(new RegExp(`^Pausing ${s.app} may be undone$`), undefined, (p) => assert.match(p.detail ?? '', new RegExp(`ApplicationSet ${s.appSet}`)))],
      () => vscode.commands.executeCommand<{ cancelled: boolean; warnings: { code: string; message: string }[] }>('gitopsDrift.pauseAutoSync', loc(s.app)),
    );
    assert.equal(r.cancelled, true);
    assert.equal(r.warnings[0].code, 'applicationset-owned');
    assert.match(r.warnings[0].message, new RegExp(s.appSet));
    assert.deepEqual(app(s.app).spec.syncPolicy, before);
  });

  it('resumes, reconciles and suspends a Flux Kustomization; resuming reverts the drift', async () => {
    const k = world().scenarios.suspendedKustomization;
    const appLoc = loc(k.name);
    // The impact preview: what resuming reverts (Git's replicas) and which kubectl-added fields it removes.
    await withPrompts(
      [dialog(new RegExp(`^Resume ${k.name}: reverts \\d+ fields?.*, loses \\d+ live-only edits?`), 'Resume', (p) => assert.match(p.detail ?? '', /^revert {2}Deployment infra\/redis spec\.replicas: /m))],
      () => vscode.commands.executeCommand('gitopsDrift.resume', appLoc),
    );
    const ks = getJson(['-n', k.namespace, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', k.name]);
    assert.notEqual(ks.spec.suspend, true);
    // Flux re-applies Git (main) and removes the fields kubectl added: the live Deployment is back to Git's.
    const dep = await waitFor('redis reverted by Flux', () => {
      const d = getJson(['-n', k.deploymentNamespace, 'get', 'deployment', k.deployment]);
      const env = d.spec.template.spec.containers[0].env ?? [];
      return d.spec.replicas === 1 && !env.some((e: { name: string }) => e.name === 'REDIS_IO_THREADS' || e.name === 'REDIS_MAXMEMORY') ? d : undefined;
    }, 15_000);
    assert.equal(dep.spec.replicas, 1);
    // Reverted: a reconcile now changes nothing, so no impact preview is shown.
    await waitFor('redis in sync in the tree', () => findResource(api, 'Deployment', k.deploymentNamespace, k.deployment)?.diff.status === 'Synced', 15_000);
    const handledBefore = getJson(['-n', k.namespace, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', k.name]).status.lastHandledReconcileAt;
    await withPrompts([], () => vscode.commands.executeCommand('gitopsDrift.reconcile', appLoc));
    const after = getJson(['-n', k.namespace, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', k.name]);
    assert.notEqual(after.status.lastHandledReconcileAt, handledBefore);
    assert.ok(after.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
    await withPrompts([], () => vscode.commands.executeCommand('gitopsDrift.suspend', appLoc));
    assert.equal(getJson(['-n', k.namespace, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', k.name]).spec.suspend, true);
    await waitFor('tree shows suspended', () => api.session.index.allApps().find((a) => a.drift.app.name === k.name)?.drift.state.suspended === true, 10_000);
  });

  it('reconciles a Flux source that is not an app in the tree (GitRepository)', async () => {
    const ctx = api.session.contexts()[0];
    const ref = { group: 'source.toolkit.fluxcd.io', kind: 'GitRepository', namespace: 'flux-system', name: 'gitops-demo' };
    const before = getJson(['-n', ref.namespace, 'get', 'gitrepositories.source.toolkit.fluxcd.io', ref.name]).status?.lastHandledReconcileAt;
    await vscode.commands.executeCommand('gitopsDrift.reconcile', { context: ctx, ref });
    const after = getJson(['-n', ref.namespace, 'get', 'gitrepositories.source.toolkit.fluxcd.io', ref.name]);
    assert.notEqual(after.status.lastHandledReconcileAt, before);
    assert.ok(after.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
  });

  it('runs a breakglass: pause with an audit record, a live edit survives self-heal, capture, resume at the new revision', async () => {
    const name = world().scenarios.synced; // guestbook: auto-sync with self-heal
    const before = app(name);
    assert.equal(before.spec.syncPolicy.automated.selfHeal, true);

    await withPrompts(
      [
        input(new RegExp(`^Breakglass on ${name} \\(1/3\\)$`), 'INC-7: checkout latency, need more replicas'),
        input(new RegExp(`^Breakglass on ${name} \\(2/3\\)$`), 'INC-7'),
        input(new RegExp(`^Breakglass on ${name} \\(3/3\\)$`), '1h'),
      ],
      () => vscode.commands.executeCommand('gitopsDrift.breakglassStart', loc(name)),
    );
    const paused = app(name);
    const record = JSON.parse(paused.metadata.annotations['gitops-drift.dev/breakglass']);
    // The cluster identity first (what `kubectl auth whoami` says for this kubeconfig), the git identity second.
    assert.equal(record.user, kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']).trim());
    assert.notEqual(record.user, '');
    assert.equal(record.gitUser, 'sre@example.test');
    assert.equal(record.reason, 'INC-7: checkout latency, need more replicas');
    assert.equal(record.ticket, 'INC-7');
    assert.ok(Math.abs(Date.parse(record.expires) - Date.parse(record.started) - 3600_000) < 5000, `${record.started} → ${record.expires}`);
    assert.equal(record.previous.automated.selfHeal, true);
    assert.ok(paused.spec.syncPolicy.automated?.enabled === false || !paused.spec.syncPolicy.automated, 'auto-sync is off');
    const node = await waitFor('breakglass in the tree', () => {
      const n = api.tree.children(api.tree.roots()[0]).find((x) => api.tree.present(x).label === name);
      return n && /breakglass/.test(api.tree.present(n).description ?? '') ? n : undefined;
    });
    assert.ok((api.tree.present(node).tooltip ?? '').includes(` by ${record.user} — INC-7: checkout latency`), api.tree.present(node).tooltip);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('gitopsDrift.drift.focus');
    await screenshot('breakglass-started');

    // The live fix, with the real kubectl; self-heal would revert it within 1.5 s if the app were not paused.
    const depName = 'guestbook-ui';
    const depNs = 'guestbook';
    const container = getJson(['-n', depNs, 'get', 'deployment', depName]).spec.template.spec.containers[0].name;
    kubectl(['-n', depNs, 'edit', `deployment/${depName}`], { env: editorEnv({ replicas: 4, container, env: { name: 'CHECKOUT_TIMEOUT_MS', value: '1500' } }) });
    // A second fix from the editor: the live object opened as a document, edited and saved.
    const target = await waitFor('guestbook-ui in the index', () => findResource(api, 'Deployment', depNs, depName));
    await vscode.commands.executeCommand('gitopsDrift.openLive', { context: target.context, appId: target.drift.app.id, ref: target.diff.ref });
    const liveEditor = await waitFor('live document', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'gitops-drift-live' ? vscode.window.activeTextEditor : undefined));
    const doc = liveEditor.document;
    const line = doc.getText().split('\n').findIndex((l) => /^  revisionHistoryLimit: \d+$/.test(l));
    assert.ok(line > 0, doc.getText());
    await liveEditor.edit((e) => e.replace(doc.lineAt(line).range, '  revisionHistoryLimit: 5'));
    assert.ok(await doc.save(), 'saved');
    const afterSave = getJson(['-n', depNs, 'get', 'deployment', depName, '--show-managed-fields']);
    assert.equal(afterSave.spec.revisionHistoryLimit, 5);
    const mine = afterSave.metadata.managedFields.find((m: { manager: string }) => m.manager === 'gitops-drift-breakglass');
    assert.deepEqual(mine.fieldsV1, { 'f:spec': { 'f:revisionHistoryLimit': {} } }, 'the save owns exactly the edited field');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    await sleep(4000);
    assert.equal(getJson(['-n', depNs, 'get', 'deployment', depName]).spec.replicas, 4, 'the live fix survived self-heal');
    assert.equal(getJson(['-n', depNs, 'get', 'deployment', depName]).spec.revisionHistoryLimit, 5);
    await waitFor('the edit in the tree', () => findResource(api, 'Deployment', depNs, depName)?.diff.changes.some((c) => c.path === 'spec.replicas' && c.live === 4 && c.manager === 'kubectl-edit'), 10_000);

    // End: capture into a branch, keep paused until the change is merged (the controller follows main).
    const { result: ended } = await withPrompts(
      [
        dialog(new RegExp(`^End breakglass on ${name}$`), 'Capture, Keep Paused', (p) => {
          assert.match(p.detail ?? '', /live change\(s\) are not in Git \(Deployment\/guestbook-ui\)/);
          assert.deepEqual(p.options, ['Capture and Resume', 'Capture, Keep Paused', 'Resume Without Capture', 'Keep Paused Without Capture']);
        }),
        pick(/^Capture live changes of Deployment guestbook\/guestbook-ui into Git$/, 'picked', (p) => {
          // The kubectl edit and the field saved from the live document (manager gitops-drift-breakglass) are preselected.
          for (const f of ['spec.replicas', 'spec.revisionHistoryLimit']) assert.ok(p.picked?.includes(f), `${f} preselected: ${p.picked}`);
          // The env var added with kubectl edit: the item itself, or the whole env list when the container had none.
          assert.ok(p.picked?.some((l) => /\.env(\[name=CHECKOUT_TIMEOUT_MS\])?$/.test(l)), `${p.picked}`);
        }),
        dialog(/^Capture \d+ live change\(s\) of Deployment guestbook\/guestbook-ui\?$/, 'Commit on New Branch'),
      ],
      () => vscode.commands.executeCommand<{ commit?: string; branch?: string }>('gitopsDrift.breakglassEnd', loc(name)),
    );
    assert.ok(ended.commit && ended.branch);
    const endRecord = JSON.parse(app(name).metadata.annotations['gitops-drift.dev/breakglass']);
    assert.ok(endRecord.ended);
    assert.equal(endRecord.commit, ended.commit);
    assert.equal(endRecord.branch, ended.branch);
    await screenshot('breakglass-ended');

    // Review and merge (as the pull request would), then resume: Argo syncs the new revision and keeps the fix.
    git(['checkout', '-q', 'main']);
    git(['merge', '-q', '--ff-only', ended.branch!]);
    const mainHead = git(['rev-parse', 'HEAD']);
    // Merged: the live fix is desired state now, so resuming changes nothing and no impact preview is shown.
    await waitFor('the merged fix is desired state in the tree', () => findResource(api, 'Deployment', depNs, depName)?.diff.status === 'Synced', 15_000);
    await withPrompts([], () => vscode.commands.executeCommand('gitopsDrift.resumeAutoSync', loc(name)));
    const synced = await waitFor('Synced at the new revision', () => {
      const a = app(name);
      return a.status?.sync?.status === 'Synced' && a.status?.sync?.revision === mainHead ? a : undefined;
    }, 30_000);
    assert.equal(synced.spec.syncPolicy.automated.selfHeal, true, 'the remembered settings are back');
    assert.notEqual(synced.spec.syncPolicy.automated.enabled, false);
    assert.equal(getJson(['-n', depNs, 'get', 'deployment', depName]).spec.replicas, 4, 'the captured fix is now desired state');
    assert.match(git(['show', ended.commit!, '--', 'guestbook/deployment.yaml']), /\+\s+revisionHistoryLimit: 5/);
    await waitFor('the tree shows it in sync', () => findResource(api, 'Deployment', depNs, depName)?.diff.status === 'Synced', 15_000);
  });
});
