// Revert forecasts in the editor on the demo world (issue 15): a suspended Flux app, a paused Argo CD app, a
// self-healing app and a field its controller does not own — in the tree tooltip, the source hover and the diff
// editor's CodeLenses. Each scenario sets its own state with kubectl first (earlier suites change the world).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot } from './index';
import { extensionApi, findResource, git, kubectl, waitFor, widenSidebar, world } from './world';
import type { GitOpsDriftApi } from '../../src/extension/extension';
import { buildControlEvent } from '../../src/core/control/events';

describe('revert forecasts in the editor (demo world)', function () {
  this.timeout(180_000);
  let api: GitOpsDriftApi;

  const tooltipOf = (kind: string, namespace: string, name: string): string => {
    const node = api.tree.allResources().find((n) => n.diff.ref.kind === kind && n.diff.ref.namespace === namespace && n.diff.ref.name === name);
    return node ? (api.tree.present(node).tooltip ?? '') : '';
  };
  const appDescription = (name: string): string => {
    const node = api.tree.roots().flatMap((r) => api.tree.children(r)).find((n) => n.type === 'app' && n.drift.app.name === name);
    return node ? (api.tree.present(node).description ?? '') : '';
  };

  before(async () => {
    api = await extensionApi();
    await api.session.refresh();
    await waitFor('a snapshot with apps', () => api.session.snapshot?.clusters[0]?.apps.length, 30_000);
  });

  it('a suspended Flux Kustomization: "kept while paused" on the tree, and in the hover of the source line', async () => {
    const k = world().scenarios.suspendedKustomization;
    kubectl(['-n', k.namespace, 'patch', 'kustomization.kustomize.toolkit.fluxcd.io', k.name, '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    await waitFor('infra suspended in the tree', () => /suspended/.test(appDescription(k.name)), 30_000);
    kubectl(['-n', k.deploymentNamespace, 'patch', `deployment/${k.deployment}`, '-p', '{"spec":{"replicas":6}}']);
    const tip = await waitFor('forecast in the tooltip', () => {
      const t = tooltipOf('Deployment', k.deploymentNamespace, k.deployment);
      return /`spec\.replicas`: kept while paused — Flux Kustomization suspended/.test(t) && t;
    }, 30_000);
    assert.match(tip, /Will the controller revert it\?/);

    const doc = await vscode.workspace.openTextDocument(path.join(world().repoDir, 'infra/redis.yaml'));
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => /^\s*replicas:/.test(l));
    const text = await waitFor('hover with the forecast', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 4));
      const t = hovers.flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? '')).join('\n');
      return /kept while paused/.test(t) && t;
    }, 15_000);
    // "suspended by <user>" when the extension suspended it (paused-by annotation), as an earlier suite does.
    assert.match(text, /\*\*kept while paused\*\* — Flux Kustomization suspended( by [^:]+)?: kept while suspended \*\(spec\.suspend: true\)\*/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(lenses.some((l) => /kept while paused/.test(l.command?.title ?? '')), lenses.map((l) => l.command?.title).join(' | '));
    editor.selection = new vscode.Selection(line, 4, line, 4);
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('forecast-hover');
  });

  it('a paused Argo CD app: the diff editor puts the forecast above each changed field; a live-only env var is "not reverted"', async () => {
    const b = world().scenarios.breakglass;
    kubectl(['-n', 'argocd', 'patch', 'application.argoproj.io', b.app, '--type', 'merge', '-p', '{"spec":{"syncPolicy":{"automated":{"enabled":false}}}}']);
    await waitFor('production paused in the tree', () => /auto-sync paused/.test(appDescription(b.app)), 30_000);
    kubectl(['-n', b.namespace, 'patch', `deployment/${b.deployment}`, '-p', '{"spec":{"replicas":6,"template":{"spec":{"containers":[{"name":"podinfo","env":[{"name":"FORECAST_DEMO","value":"on"}]}]}}}}']);
    const r = await waitFor('the live edit in the snapshot', () => {
      const x = findResource(api, 'Deployment', b.namespace, b.deployment);
      return x?.diff.changes.some((c) => c.path === 'spec.replicas' && c.live === 6) && x.diff.changes.some((c) => c.path.includes('FORECAST_DEMO')) && x;
    }, 30_000);
    await vscode.commands.executeCommand('gitopsDrift.openDiff', { context: r.context, appId: r.drift.app.id, ref: r.diff.ref });
    const tab = await waitFor('diff tab', () => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
    });
    const right = await vscode.workspace.openTextDocument((tab.input as vscode.TabInputTextDiff).modified);
    const lines = right.getText().split('\n');
    const lenses = await waitFor('forecast CodeLenses on the live side', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', right.uri);
      return l.length >= 2 && l;
    }, 15_000);
    const at = (re: RegExp) => lenses.filter((l) => re.test(lines[l.range.start.line] ?? '')).map((l) => l.command?.title ?? '');
    assert.ok(at(/^\s*replicas: 6/).some((t) => /kept while paused — auto-sync paused/.test(t)), lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`).join('\n'));
    assert.ok(at(/name: FORECAST_DEMO/).some((t) => /not reverted \(lost if the object is recreated\)/.test(t)), lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`).join('\n'));
    // CodeLenses are off in diff editors by default (diffEditor.codeLens): the same forecast is written after the line.
    const decorated = await waitFor('forecast after the live lines', () => {
      const d = api.decorationsFor(right.uri);
      return d.some((x) => /kept while paused/.test(x.text)) && d;
    }, 15_000);
    assert.ok(decorated.some((x) => /^\s*replicas: 6/.test(lines[x.line - 1]) && /kept while paused/.test(x.text)), JSON.stringify(decorated));
    assert.ok(decorated.some((x) => /name: FORECAST_DEMO/.test(lines[x.line - 1]) && /not reverted/.test(x.text)), JSON.stringify(decorated));
    await screenshot('forecast-diff-editor');
  });

  it('a self-healing app: a modified field is "reverted at the next reconcile", a label kubectl added is not, and self-heal then does exactly that', async () => {
    const ns = 'guestbook';
    kubectl(['-n', 'argocd', 'patch', 'application.argoproj.io', 'guestbook', '--type', 'merge', '-p', '{"spec":{"syncPolicy":{"automated":{"selfHeal":true,"prune":true,"enabled":null}}}}']);
    await waitFor('guestbook auto-sync on', () => !/auto-sync paused/.test(appDescription('guestbook')) && !/breakglass/.test(appDescription('guestbook')), 30_000);
    kubectl(['-n', ns, 'label', 'deployment/guestbook-ui', 'forecast-demo=kept', '--overwrite']);
    // Self-heal undoes the replicas edit within seconds: try a few edits until the tree catches one before it does.
    const desired = JSON.parse(kubectl(['-n', ns, 'get', 'deployment/guestbook-ui', '-o', 'json'])).spec.replicas as number;
    const edits = [desired + 3, desired + 4, desired + 5];
    let tip: string | false = false;
    for (const replicas of edits) {
      kubectl(['-n', ns, 'patch', 'deployment/guestbook-ui', '-p', JSON.stringify({ spec: { replicas } })]);
      tip = await waitFor('the self-heal forecast', () => {
        const t = tooltipOf('Deployment', ns, 'guestbook-ui');
        return t.includes(`\`${replicas}\``) && /`spec\.replicas`: reverted at the next reconcile/.test(t) && t;
      }, 3000, 50).catch(() => false as const);
      if (tip) break;
    }
    assert.ok(tip, 'the tree showed the forecast while the edit was live');
    assert.match(tip, /Argo CD self-heal re-applies Git/);
    assert.match(tip, /`metadata\.labels\.forecast-demo`: not reverted \(lost if the object is recreated\)/);
    // What the controller then does: replicas back to Git, the label it does not own kept.
    const live = await waitFor('self-heal reverts replicas', () => {
      const d = JSON.parse(kubectl(['-n', ns, 'get', 'deployment/guestbook-ui', '-o', 'json']));
      return d.spec.replicas === desired && d;
    }, 30_000);
    assert.equal(live.metadata.labels['forecast-demo'], 'kept');
  });
});

describe('decorations in a shared kustomize base (issue 17.8, demo world)', function () {
  this.timeout(120_000);
  let api: GitOpsDriftApi;

  before(async () => {
    api = await extensionApi();
    await waitFor('a snapshot with apps', () => api.session.snapshot?.clusters[0]?.apps.length, 30_000);
  });

  it('the overlay line that sets production\'s replicas carries its live value; the shared base line only points at the overlay', async () => {
    const w = world();
    const b = w.scenarios.breakglass;
    kubectl(['-n', 'argocd', 'patch', 'application.argoproj.io', b.app, '--type', 'merge', '-p', '{"spec":{"syncPolicy":{"automated":{"enabled":false}}}}']);
    kubectl(['-n', b.namespace, 'patch', `deployment/${b.deployment}`, '-p', '{"spec":{"replicas":8}}']);
    await waitFor('replicas 8 in the snapshot', () => findResource(api, 'Deployment', b.namespace, b.deployment)?.diff.changes.some((c) => c.path === 'spec.replicas' && c.live === 8), 30_000);
    const baseFile = path.join(w.repoDir, 'podinfo/base/deployment.yaml');
    const overlayFile = path.join(w.repoDir, 'podinfo/overlays/production/kustomization.yaml');
    const overlay = await vscode.workspace.openTextDocument(overlayFile);
    await vscode.window.showTextDocument(overlay, vscode.ViewColumn.Two);
    const base = await vscode.workspace.openTextDocument(baseFile);
    await vscode.window.showTextDocument(base, vscode.ViewColumn.One);
    const baseReplicas = base.getText().split('\n').findIndex((l) => /^\s*replicas:/.test(l)) + 1;
    const count = overlay.getText().split('\n').findIndex((l) => /^\s*count:/.test(l)) + 1;
    assert.ok(baseReplicas > 0 && count > 0);
    const onBase = await waitFor('the pointer on the base replicas line', () => {
      const d = api.decorationsFor(base.uri).find((x) => x.line === baseReplicas);
      return d && /podinfo-production: set in overlays\/production\/kustomization\.yaml/.test(d.text) && d;
    }, 20_000).catch(() => assert.fail(`base decorations: ${JSON.stringify(api.decorationsFor(base.uri))}`));
    assert.doesNotMatch(onBase.text, /live: 8/, 'production\'s live value is not shown against the shared base');
    assert.match(onBase.text, new RegExp(`kustomization\\.yaml:${count}`));
    const onOverlay = await waitFor('the drift on the overlay count line', () => api.decorationsFor(overlay.uri).find((x) => x.line === count && /live: 8 \(kubectl-patch\) · podinfo-production/.test(x.text)), 20_000).catch(() =>
      assert.fail(`overlay decorations: ${JSON.stringify(api.decorationsFor(overlay.uri))}`),
    );
    assert.ok(onOverlay);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', overlay.uri, new vscode.Position(count - 1, 6));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? '')).join('\n');
    assert.match(text, /app \*\*podinfo-production\*\*/);
    assert.match(text, /Effective desired value for \*\*podinfo-production\*\*: `\d+`, set here \(`replicas:`/);
    const baseHover = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', base.uri, new vscode.Position(baseReplicas - 1, 4)))
      .flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? ''))
      .join('\n');
    assert.match(baseHover, /Not this line: for \*\*podinfo-production\*\* the effective desired value is `\d+`, set in \[overlays\/production\/kustomization\.yaml/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', base.uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /podinfo-production · /.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /podinfo-production: spec\.replicas set in overlays\/production\/kustomization\.yaml:\d+/.test(t)), titles.join(' | '));
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === overlay)!;
    editor.selection = new vscode.Selection(count - 1, 6, count - 1, 6);
    await screenshot('shared-base-decorations');
  });
});

describe('app history (issue 15, demo world)', function () {
  this.timeout(120_000);
  let api: GitOpsDriftApi;

  before(async () => {
    api = await extensionApi();
    await waitFor('a snapshot with apps', () => api.session.snapshot?.clusters[0]?.apps.length, 30_000);
  });

  it('merges Argo CD history, the last operation, the extension\'s Events and live edits; a revision opens the app\'s files then ↔ now', async () => {
    const w = world();
    const staging = w.scenarios.missingLive.app;
    const app = api.session.index.allApps().find((a) => a.drift.app.name === staging)!;
    assert.ok(app, 'podinfo-staging in the snapshot');
    // An audit Event as the extension writes it (reporting component gitops-drift), and a live edit by kubectl.
    const live = JSON.parse(kubectl(['-n', 'argocd', 'get', 'application.argoproj.io', staging, '-o', 'json']));
    const event = buildControlEvent(live, 'AutoSyncPaused', 'auto-sync paused (automated.enabled: false) by history-test-user', new Date());
    kubectl(['create', '-f', '-'], { input: JSON.stringify(event) });
    kubectl(['-n', 'podinfo-staging', 'label', 'deployment/podinfo', 'history-demo=1', '--overwrite']);
    await waitFor('the label in the snapshot', () => findResource(api, 'Deployment', 'podinfo-staging', 'podinfo')?.diff.changes.some((c) => c.path.includes('history-demo')), 30_000);

    await vscode.commands.executeCommand('gitopsDrift.history.focus');
    await api.history.show(app.context, app.drift.app.id);
    const entries = await waitFor('history entries', () => api.history.entries.length >= 3 && api.history.entries, 20_000);
    const kinds = new Set(entries.map((e) => e.kind));
    assert.ok(kinds.has('operation') || kinds.has('sync'), JSON.stringify(entries.map((e) => e.title)));
    assert.ok(entries.some((e) => e.kind === 'event' && /AutoSyncPaused: .* by history-test-user/.test(e.title)), JSON.stringify(entries.map((e) => e.title)));
    assert.ok(entries.some((e) => e.kind === 'live-edit' && /kubectl-label changed Deployment podinfo-staging\/podinfo live/.test(e.title)), JSON.stringify(entries.map((e) => e.title)));
    const times = entries.map((e) => Date.parse(e.time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    await widenSidebar(4);
    await screenshot('history-view');

    // The seed synced staging at the first commit: opening that entry compares the overlay then and now.
    const initialCommit = git(['rev-list', '--max-parents=0', 'HEAD']);
    const index = entries.findIndex((e) => e.revision === initialCommit);
    assert.ok(index >= 0, `an entry at the initial commit ${initialCommit}: ${JSON.stringify(entries.map((e) => [e.title, e.revision]))}`);
    await vscode.commands.executeCommand('gitopsDrift.history.openEntry', index);
    const tab = await waitFor('the revision diff', () => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === 'gitops-drift-rev' ? t : undefined;
    }, 15_000);
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.modified.fsPath, path.join(w.repoDir, 'podinfo/overlays/staging/kustomization.yaml'));
    const then = await vscode.workspace.openTextDocument(input.original);
    assert.match(then.getText(), /legacy-settings\.yaml/, 'the file as it was at the first commit');
    await screenshot('history-revision-diff');
  });
});
