// Journey (d): the context menu of every kind of node in the Drift view offers what can work there, and nothing
// else; each offered item, chosen by right-click as a person does, does its job.
import * as assert from 'node:assert/strict';
import { cluster, journeyWorld } from './current';

const SHOW_DIFF = 'Show Diff (Git ↔ Live)';
const OPEN_LIVE = 'Open Live Object';
const REVEAL = 'Reveal Source in Git File';
const CAPTURE = 'Capture Live Changes to Git…';
const SYNC_RESOURCE = 'Sync Resource';
const SYNC = 'Sync App…';
const REFRESH = 'Refresh App (Argo CD)';
const HARD_REFRESH = 'Hard Refresh App (Argo CD)';
const PAUSE = 'Pause Auto-Sync (Argo CD)…';
const RESUME_AUTO = 'Resume Auto-Sync (Argo CD)';
const SKIP_ON = 'Skip Reconcile On (Argo CD)…';
const SKIP_OFF = 'Skip Reconcile Off (Argo CD)';
const RECONCILE = 'Reconcile (Flux)';
const RECONCILE_SOURCE = 'Reconcile with Source (Flux)';
const SUSPEND = 'Suspend (Flux)…';
const RESUME = 'Resume (Flux)';
const BG_START = 'Start Breakglass…';

/** Each kind of node of the seeded demo world (by its path of row labels) and the menu a person should get on it. */
const expected = (): { what: string; path: string[]; items: string[] }[] => [
  { what: 'cluster', path: [cluster()], items: [] },
  { what: 'kind group', path: [cluster(), 'podinfo-production', 'Deployment'], items: [] },
  { what: 'Argo CD app, auto-sync on', path: [cluster(), 'guestbook'], items: [SYNC, REFRESH, HARD_REFRESH, PAUSE, SKIP_ON, BG_START] },
  { what: 'Argo CD app, auto-sync paused', path: [cluster(), 'podinfo-production'], items: [SYNC, REFRESH, HARD_REFRESH, RESUME_AUTO, SKIP_ON, BG_START] },
  { what: 'Argo CD app, manual sync', path: [cluster(), 'podinfo-staging'], items: [SYNC, REFRESH, HARD_REFRESH, SKIP_ON, BG_START] },
  { what: 'Flux Kustomization, suspended', path: [cluster(), 'infra'], items: [RESUME, BG_START] },
  { what: 'folder of manifests', path: [cluster(), 'argocd'], items: [] },
  { what: 'Argo CD resource, modified', path: [cluster(), 'podinfo-production', 'Deployment', 'podinfo'], items: [SHOW_DIFF, OPEN_LIVE, REVEAL, CAPTURE, SYNC_RESOURCE, BG_START] },
  { what: 'Argo CD resource, synced', path: [cluster(), 'podinfo-staging', 'Service', 'podinfo'], items: [SHOW_DIFF, OPEN_LIVE, REVEAL, SYNC_RESOURCE, BG_START] },
  // Made by kustomize's configMapGenerator: no file holds it, so there is nothing to reveal.
  { what: 'Argo CD resource, generated', path: [cluster(), 'podinfo-staging', 'ConfigMap', 'podinfo-config'], items: [SHOW_DIFF, OPEN_LIVE, SYNC_RESOURCE, BG_START] },
  { what: 'Argo CD resource, prune candidate (live only, no source file)', path: [cluster(), 'podinfo-staging', 'ConfigMap', 'podinfo-legacy-settings'], items: [SHOW_DIFF, OPEN_LIVE, SYNC_RESOURCE, BG_START] },
  { what: 'Argo CD resource, missing live', path: [cluster(), 'podinfo-staging', 'Ingress', 'podinfo'], items: [SHOW_DIFF, REVEAL, SYNC_RESOURCE, BG_START] },
  // (Its Deployment was captured in journey (a) and is Synced by now.)
  { what: 'Flux resource, synced', path: [cluster(), 'infra', 'Service', 'redis'], items: [SHOW_DIFF, OPEN_LIVE, REVEAL, BG_START] },
  { what: 'folder resource, modified', path: [cluster(), 'argocd', 'Application', 'podinfo-production'], items: [SHOW_DIFF, OPEN_LIVE, REVEAL, CAPTURE] },
  { what: 'folder resource, synced', path: [cluster(), 'argocd', 'Application', 'guestbook'], items: [SHOW_DIFF, OPEN_LIVE, REVEAL] },
];

describe('journey (d): context menus of every node type', function () {
  it('offers on each kind of node exactly the items that can work there', async function () {
    const { wb } = journeyWorld();
    await wb.begin('d-menus-offered');
    await wb.waitForDescription(await wb.treeRowAt([cluster(), 'infra']), /suspended/, 120_000);
    const wrong: string[] = [];
    for (const e of expected()) {
      const row = await wb.treeRowAt(e.path);
      const items = await wb.contextMenuItems(row);
      if (items.length) await wb.screenshot(`menu-${e.what}`);
      await wb.closeMenu();
      const extra = items.filter((i) => !e.items.includes(i));
      const missing = e.items.filter((i) => !items.includes(i));
      if (extra.length || missing.length) wrong.push(`${e.what} (${e.path.join(' › ')}): ${extra.length ? `offers ${extra.join(', ')}` : ''}${extra.length && missing.length ? '; ' : ''}${missing.length ? `lacks ${missing.join(', ')}` : ''}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe('journey (d): each offered context-menu item does its job', function () {
  it('resource items: diff, live object, source, sync, capture', async function () {
    const { wb } = journeyWorld();
    await wb.begin('d-menus-resource-items');
    const service = [cluster(), 'podinfo-staging', 'Service', 'podinfo'];

    await wb.contextMenu(await wb.treeRowAt(service), SHOW_DIFF);
    await wb.activeTab(/^podinfo · Git ↔ live/);
    await wb.screenshot('show-diff');

    await wb.contextMenu(await wb.treeRowAt(service), OPEN_LIVE);
    await wb.activeTab(/^podinfo\.yaml/);
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'kind: Service' }).first().waitFor({ state: 'visible' });
    await wb.screenshot('open-live-object');

    await wb.contextMenu(await wb.treeRowAt(service), REVEAL);
    await wb.activeTab(/^service\.yaml/);
    await wb.screenshot('reveal-source');

    await wb.contextMenu(await wb.treeRowAt(service), SYNC_RESOURCE);
    assert.match(await wb.quickInputTitle(), /Sync podinfo-staging/);
    await wb.quickPick('Sync');
    await wb.notification(/^podinfo-staging: sync Succeeded/, 120_000);
    await wb.screenshot('sync-resource-succeeded');

    // The row's inline buttons (shown on hover): Show Diff on every resource, Capture on a modified one.
    await wb.closeAllEditors();
    await wb.inlineAction(await wb.treeRowAt(service), SHOW_DIFF);
    await wb.activeTab(/^podinfo · Git ↔ live/);
    await wb.inlineAction(await wb.treeRowAt([cluster(), 'podinfo-production', 'Deployment', 'podinfo']), CAPTURE);
    assert.match(await wb.quickInputTitle(), /Capture live changes of .*podinfo/);
    await wb.screenshot('inline-capture');
    await wb.page.keyboard.press('Escape');
    await wb.quickInputHidden();

    await wb.contextMenu(await wb.treeRowAt([cluster(), 'podinfo-production', 'Deployment', 'podinfo']), CAPTURE);
    assert.match(await wb.quickInputTitle(), /Capture live changes of .*podinfo/);
    await wb.screenshot('capture-asks-which-fields');
    await wb.page.keyboard.press('Escape');
    await wb.quickInputHidden();

    assert.deepEqual((await wb.recordedNotifications()).filter((n) => n.severity === 'error'), []);
  });

  it('Argo CD app items: sync, refresh, hard refresh, pause/resume auto-sync, skip reconcile on/off', async function () {
    const { wb } = journeyWorld();
    await wb.begin('d-menus-argo-app-items');
    const path = [cluster(), 'guestbook'];
    const app = await wb.treeRowAt(path);

    // The inline Sync button asks the same first question as the menu item; Escape leaves everything as it was.
    await wb.inlineAction(app, SYNC);
    assert.match(await wb.quickInputTitle(), /guestbook/);
    await wb.page.keyboard.press('Escape');
    await wb.quickInputHidden();

    await wb.contextMenu(await wb.treeRowAt(path), SYNC);
    await wb.quickPick('Sync');
    await wb.notification(/^guestbook: sync Succeeded/, 120_000);
    await wb.screenshot('sync-succeeded');

    await wb.contextMenu(await wb.treeRowAt(path), REFRESH);
    await wb.contextMenu(await wb.treeRowAt(path), HARD_REFRESH);

    await wb.contextMenu(await wb.treeRowAt(path), PAUSE);
    await wb.waitForDescription(await wb.treeRowAt(path), /auto-sync paused/);
    await wb.screenshot('auto-sync-paused');
    const paused = await wb.contextMenuItems(await wb.treeRowAt(path));
    await wb.closeMenu();
    assert.ok(paused.includes(RESUME_AUTO) && !paused.includes(PAUSE), paused.join(' | '));
    await wb.contextMenu(await wb.treeRowAt(path), RESUME_AUTO);
    await wb.waitForDescription(await wb.treeRowAt(path), /^(?!.*auto-sync paused)/);
    await wb.screenshot('auto-sync-resumed');

    await wb.contextMenu(await wb.treeRowAt(path), SKIP_ON);
    const warn = await wb.dialog();
    assert.match(`${warn.message} ${warn.detail}`, /Skip reconcile/);
    await wb.screenshot('skip-reconcile-warning');
    await wb.dialogButton('Skip Reconcile');
    await wb.waitForDescription(await wb.treeRowAt(path), /skip-reconcile/);
    await wb.screenshot('skip-reconcile-on');
    const skipped = await wb.contextMenuItems(await wb.treeRowAt(path));
    await wb.closeMenu();
    assert.ok(skipped.includes(SKIP_OFF) && !skipped.includes(SKIP_ON), skipped.join(' | '));
    await wb.contextMenu(await wb.treeRowAt(path), SKIP_OFF);
    await wb.waitForDescription(await wb.treeRowAt(path), /^(?!.*skip-reconcile)/);
    await wb.screenshot('skip-reconcile-off');

    assert.deepEqual((await wb.recordedNotifications()).filter((n) => n.severity === 'error'), []);
  });

  it('Flux Kustomization items: resume, reconcile, reconcile with source, suspend', async function () {
    const { wb } = journeyWorld();
    await wb.begin('d-menus-flux-app-items');
    const path = [cluster(), 'infra'];

    await wb.contextMenu(await wb.treeRowAt(path), RESUME);
    await wb.notification(/^(infra: Ready|Kustomization flux-system\/infra resumed: Ready)/, 120_000);
    await wb.waitForDescription(await wb.treeRowAt(path), /^(?!.*suspended)/);
    await wb.screenshot('resumed');
    const items = await wb.contextMenuItems(await wb.treeRowAt(path));
    await wb.closeMenu();
    assert.deepEqual(items, [RECONCILE, RECONCILE_SOURCE, SUSPEND, BG_START]);

    await wb.clearNotifications();
    await wb.contextMenu(await wb.treeRowAt(path), RECONCILE);
    await wb.notification(/^(infra: Ready|Kustomization flux-system\/infra: Ready)/, 120_000);
    await wb.screenshot('reconciled');
    await wb.clearNotifications();
    await wb.contextMenu(await wb.treeRowAt(path), RECONCILE_SOURCE);
    await wb.notification(/^(infra: Ready|Kustomization flux-system\/infra: Ready)/, 120_000);
    await wb.screenshot('reconciled-with-source');

    await wb.contextMenu(await wb.treeRowAt(path), SUSPEND);
    await wb.notification(/^(Suspend: infra|Kustomization flux-system\/infra suspended)/);
    await wb.waitForDescription(await wb.treeRowAt(path), /suspended/);
    await wb.screenshot('suspended');

    assert.deepEqual((await wb.recordedNotifications()).filter((n) => n.severity === 'error'), []);
  });
});
