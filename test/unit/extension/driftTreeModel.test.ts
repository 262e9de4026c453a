import * as assert from 'node:assert/strict';
import { DriftTreeModel, resourceStateLabel, relativeTime, type DriftNode } from '../../../src/extension/tree/driftTreeModel';
import type { DriftSnapshot, AppDrift } from '../../../src/core/engine/driftTypes';
import type { ResourceDiff } from '../../../src/core/model';
import { appStateOf } from '../../../src/core/engine/appState';

const now = new Date('2026-11-28T12:00:00Z');

function res(name: string, status: ResourceDiff['status'], changes: ResourceDiff['changes'] = [], kind = 'Deployment', namespace = 'web'): ResourceDiff {
  return { ref: { group: 'apps', kind, namespace, name }, status, changes };
}

function snapshot(): DriftSnapshot {
  const argoApp = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'shop',
      namespace: 'argocd',
      annotations: { 'gitops-drift.dev/breakglass': JSON.stringify({ user: 'alice@example.com', reason: 'hotfix', started: '2026-11-28T11:48:00Z', expires: '2026-11-28T12:48:00Z' }) },
    },
    spec: { syncPolicy: { automated: { enabled: false, selfHeal: true } } },
    status: { sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' } },
  };
  const shop: AppDrift = {
    app: { id: 'argo:argocd/shop', name: 'shop', kind: 'argo-application', sourceType: 'directory', path: '/repo/apps/shop' },
    liveApp: argoApp,
    state: appStateOf(argoApp, now),
    resources: [
      res('web', 'Modified', [
        { path: 'spec.replicas', category: 'modified', desired: 2, live: 5, manager: 'kubectl-edit', time: '2026-11-28T11:48:00Z' },
        { path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', category: 'live-only', live: { name: 'DEBUG', value: '1' }, manager: 'kubectl-edit', time: '2026-11-28T11:48:00Z' },
      ]),
      res('api', 'Synced'),
      res('web', 'Synced', [], 'Service'),
      res('old', 'ExtraLive', [], 'ConfigMap', 'web'),
    ],
    errors: [],
    skipped: [],
  };
  const folder: AppDrift = {
    app: { id: 'folder:infra', name: 'infra', kind: 'folder', sourceType: 'directory' },
    state: appStateOf(undefined),
    resources: [res('cfg', 'Synced', [], 'ConfigMap', 'infra')],
    errors: [],
    skipped: [],
  };
  return { clusters: [{ context: 'prod-eu', apps: [shop, folder] }], computedAt: now.toISOString(), timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } };
}

function labels(model: DriftTreeModel, nodes: DriftNode[]): string[] {
  return nodes.map((n) => model.present(n).label);
}

describe('DriftTreeModel', () => {
  it('nests cluster → app → kind → resource with drifted resources first', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => now);
    const [cluster] = m.roots();
    assert.equal(m.present(cluster).label, 'prod-eu');
    assert.equal(m.present(cluster).description, '2 drifted');
    const apps = m.children(cluster);
    assert.deepEqual(labels(m, apps), ['shop', 'infra']);
    const kinds = m.children(apps[0]);
    assert.deepEqual(labels(m, kinds), ['ConfigMap', 'Deployment', 'Service']);
    assert.deepEqual(kinds.map((k) => m.present(k).icon.id), ['settings-gear', 'rocket', 'plug']);
    assert.deepEqual(labels(m, m.children(kinds[1])), ['web', 'api']);
  });

  it('shows app badges, breakglass and attribution', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => now);
    const app = m.children(m.roots()[0])[0];
    const p = m.present(app);
    assert.match(p.description!, /OutOfSync · Healthy · auto-sync paused · breakglass · 2 drifted/);
    assert.match(p.tooltip!, /paused 12 min by alice@example.com — hotfix/);
    assert.match(p.tooltip!, /spec\.replicas changed by kubectl-edit 12 min ago/);
    assert.equal(p.contextValue, 'app:argo:paused:breakglass');
  });

  it('labels resource states, including live-only edits and prune candidates', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => now);
    const web = m.allResources().find((r) => r.diff.ref.kind === 'Deployment' && r.diff.ref.name === 'web')!;
    const p = m.present(web);
    assert.equal(p.description, 'modified · 1 live-only · kubectl-edit 12 min ago');
    // The shop app is in a breakglass: its resources say so (End Breakglass, not a second Start, in their menu);
    // modified (something to capture), no source file here (nothing to reveal).
    assert.equal(p.contextValue, 'resource:argo:drifted:modified:nosource:breakglass');
    assert.equal(resourceStateLabel(res('x', 'ExtraLive')), 'prune candidate');
    assert.equal(resourceStateLabel(res('x', 'MissingLive')), 'missing live');
    assert.equal(resourceStateLabel(res('x', 'Modified', [{ path: 'metadata.labels.x', category: 'live-only', live: 'y' }])), 'live-only edit');
  });

  it('filters to drifted only, by namespace and by name', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: true }, () => now);
    assert.deepEqual(labels(m, m.children(m.roots()[0])), ['shop']);
    assert.deepEqual(m.allResources().map((r) => r.diff.ref.name).sort(), ['old', 'web']);
    m.update(snapshot(), { driftedOnly: false, namespace: 'infra' });
    assert.deepEqual(m.allResources().map((r) => r.diff.ref.name), ['cfg']);
    m.update(snapshot(), { driftedOnly: false, nameQuery: 'AP' });
    assert.deepEqual(m.allResources().map((r) => r.diff.ref.name), ['api']);
  });

  it('shows a cluster error instead of apps', () => {
    const s = snapshot();
    s.clusters[0] = { context: 'dev', apps: [], error: Object.assign(new Error('connect ECONNREFUSED'), { reason: 'unreachable' }) as never };
    const m = new DriftTreeModel(s, { driftedOnly: false }, () => now);
    const kids = m.children(m.roots()[0]);
    assert.equal(kids.length, 1);
    assert.equal(kids[0].type, 'message');
    assert.match(m.present(kids[0]).label, /ECONNREFUSED/);
  });

  it('a cluster still being computed says loading, never in sync', () => {
    const snap = snapshot();
    snap.clusters.push({ context: 'prod-us', apps: [], loading: true });
    const m = new DriftTreeModel(snap, { driftedOnly: false }, () => now);
    const loading = m.roots()[1];
    assert.equal(m.present(loading).description, 'loading…');
    assert.deepEqual(labels(m, m.children(loading)), ['Rendering and reading this cluster…']);
  });

  it('a cluster being computed shows the apps finished so far (issue 16: apps appear as they finish)', () => {
    const snap = snapshot();
    const [ready, rendered] = snap.clusters[0].apps;
    snap.clusters[0] = { context: snap.clusters[0].context, apps: [ready, { ...rendered, resources: [], errors: [], loading: true }], loading: true };
    const m = new DriftTreeModel(snap, { driftedOnly: false }, () => now);
    const cluster = m.roots()[0];
    assert.equal(m.present(cluster).description, 'loading… 1 app ready');
    const kids = m.children(cluster);
    assert.deepEqual(labels(m, kids), [ready.app.name, rendered.app.name, 'Rendering and reading the other apps…']);
    const loadingApp = kids[1];
    assert.match(m.present(loadingApp).description!, /^loading…/);
    assert.equal(m.present(loadingApp).icon.id, 'loading~spin');
    assert.equal(m.present(loadingApp).collapsible, 'none');
    assert.deepEqual(m.children(loadingApp), [], 'no resources before it is diffed (never "in sync")');
    assert.notEqual(m.present(kids[0]).icon.id, 'loading~spin');
  });

  it('formats relative times', () => {
    assert.equal(relativeTime('2026-11-28T11:59:30Z', now), '30 s ago');
    assert.equal(relativeTime('2026-11-28T09:00:00Z', now), '3 h ago');
  });

  it('names the shown rows whose relative time moved on, and only those', () => {
    let clock = now;
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => clock);
    const shown = m.allResources().map((node) => ({ node, description: m.present(node).description }));
    const web = shown.find((r) => r.description?.includes('ago'))!;
    assert.match(web.description!, /kubectl-edit 12 min ago/);
    assert.deepEqual(m.staleTimes(shown), [], 'nothing moved yet');
    clock = new Date(now.getTime() + 5 * 60_000);
    assert.deepEqual(m.staleTimes(shown), [web.node], 'only the row with a time');
    assert.match(m.present(web.node).description!, /kubectl-edit 17 min ago/);
  });

  it('finds the parent of a resource for reveal', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => now);
    const web = m.allResources().find((r) => r.diff.ref.kind === 'Deployment' && r.diff.ref.name === 'web')!;
    const kind = m.parent(web)!;
    assert.equal(kind.type, 'kind');
    assert.equal(m.present(kind).label, 'Deployment');
    const app = m.parent(kind)!;
    assert.equal(m.present(app).label, 'shop');
    assert.equal(m.parent(m.parent(app)!), undefined);
  });

  it('says which workspace apps this cluster does not run', () => {
    const snap = snapshot();
    snap.clusters[0].notDeployed = [
      { id: 'argo:argocd/edge', name: 'edge', kind: 'argo-application', sourceType: 'directory' },
      { id: 'folder:staging', name: 'staging', kind: 'folder', sourceType: 'kustomize' },
    ];
    const m = new DriftTreeModel(snap, { driftedOnly: false }, () => now);
    const kids = m.children(m.roots()[0]);
    const last = kids[kids.length - 1];
    assert.equal(last.type, 'message');
    assert.equal(m.present(last).label, '2 workspace apps not in this cluster: edge, staging');
    assert.deepEqual(kids.filter((k) => k.type === 'app').map((k) => m.present(k).label), ['shop', 'infra']);
  });

  it('shows on the cluster node that live updates are off when a watch stopped for good (issue 17.5)', () => {
    const m = new DriftTreeModel(snapshot(), { driftedOnly: false }, () => now);
    const cluster = () => m.roots()[0];
    m.setWatchStops(new Map([['prod-eu', [{ type: 'Secret in web', reason: 'forbidden', message: 'secrets is forbidden: User "dev" cannot watch resource "secrets"' }]]]));
    assert.equal(m.present(cluster()).description, '2 drifted · live updates off: forbidden');
    assert.match(m.present(cluster()).tooltip ?? '', /live updates off: Secret in web — secrets is forbidden: User "dev" cannot watch/);
    // Other contexts, and the next snapshot, keep the state until the watches are restarted.
    m.update(snapshot());
    assert.equal(m.present(cluster()).description, '2 drifted · live updates off: forbidden');
    m.setWatchStops(new Map());
    assert.equal(m.present(cluster()).description, '2 drifted');
    assert.doesNotMatch(m.present(cluster()).tooltip ?? '', /live updates off/);
  });
});
