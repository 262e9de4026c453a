// ApplicationSet-generated apps appear under their set in the Drift tree (issue 14 item 5): one row per set and
// cluster, where its first app was, counting its apps' drift; rows, parents, ids and targeted updates follow.
import * as assert from 'node:assert/strict';
import { DriftTreeModel, type DriftNode } from '../../../src/extension/tree/driftTreeModel';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { ResourceDiff } from '../../../src/core/model';
import { appStateOf } from '../../../src/core/engine/appState';

const res = (name: string, status: ResourceDiff['status'], replicas = 2): ResourceDiff => ({
  ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name },
  status,
  changes: status === 'Synced' ? [] : [{ path: 'spec.replicas', category: 'modified', desired: 2, live: replicas, manager: 'kubectl-edit' }],
});

function app(name: string, resources: ResourceDiff[], appSet?: string): AppDrift {
  return { app: { id: `argo:argocd/${name}`, name, kind: 'argo-application', sourceType: 'directory', ...(appSet ? { appSet } : {}) }, state: appStateOf(undefined), resources, errors: [], skipped: [] };
}

function snap(apps: AppDrift[]): DriftSnapshot {
  return { clusters: [{ context: 'prod', apps }], computedAt: '2026-12-05T00:00:00Z', timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } };
}

describe('DriftTreeModel: ApplicationSet rows', () => {
  const world = () => snap([app('guestbook', [res('gb', 'Synced')]), app('billing', [res('pay', 'Modified', 5)], 'argocd/team-apps'), app('infra', [res('redis', 'Synced')]), app('billing-eu', [res('pay-eu', 'Synced')], 'argocd/team-apps')]);

  it('groups the generated apps under one set row where the first of them was, with the count of their drift', () => {
    const m = new DriftTreeModel(world(), { driftedOnly: false });
    const [cluster] = m.roots();
    const rows = m.children(cluster);
    assert.deepEqual(rows.map((r) => `${r.type}:${m.present(r).label}`), ['app:guestbook', 'appset:team-apps', 'app:infra']);
    const set = rows[1];
    assert.equal(m.present(set).description, 'ApplicationSet · 2 apps · 1 drifted');
    assert.equal(m.present(set).collapsible, 'expanded');
    const generated = m.children(set);
    assert.deepEqual(generated.map((g) => g.id), ['c:prod/s:argocd/team-apps/a:argo:argocd/billing', 'c:prod/s:argocd/team-apps/a:argo:argocd/billing-eu']);
    // Ids resolve and reveal walks through the set row.
    const eu = m.nodeById('c:prod/s:argocd/team-apps/a:argo:argocd/billing-eu') as Extract<DriftNode, { type: 'app' }>;
    assert.equal(eu?.drift.app.name, 'billing-eu');
    assert.equal(m.parent(eu)?.id, set.id);
    const resource = m.allResources().find((r) => r.diff.ref.name === 'pay');
    assert.equal(resource?.id.startsWith(`${set.id}/a:argo:argocd/billing/`), true, resource?.id);
  });

  it('the drifted-only filter keeps the set with its drifted apps only; a set with none is gone', () => {
    const m = new DriftTreeModel(world(), { driftedOnly: true });
    const rows = m.children(m.roots()[0]);
    assert.deepEqual(rows.map((r) => r.id), ['c:prod/s:argocd/team-apps']);
    assert.deepEqual(m.children(rows[0]).map((r) => (r as Extract<DriftNode, { type: 'app' }>).drift.app.name), ['billing']);
    m.update(snap([app('billing', [res('pay', 'Synced')], 'argocd/team-apps')]), { driftedOnly: true });
    assert.equal(m.fresh({ type: 'appset', id: 'c:prod/s:argocd/team-apps', context: 'prod', set: 'argocd/team-apps', apps: [] }), undefined);
  });

  it("a changed value in a generated app's resource refreshes that row under the set", () => {
    const s = world();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    m.takeChanges();
    m.update(snap(s.clusters[0].apps.map((a) => ({ ...a, resources: a.app.name === 'billing' ? [res('pay', 'Modified', 9)] : a.resources }))));
    assert.deepEqual(m.takeChanges()!.map((n) => n.id), ['c:prod/s:argocd/team-apps/a:argo:argocd/billing/k:Deployment/r:apps/Deployment/web/pay']);
  });

  it("an app's render notes (e.g. whose helm capabilities were used) are in its tooltip", () => {
    const a = { ...app('charts', [res('c', 'Synced')]), notes: ['helm kubeVersion/apiVersions: the destination https://10.0.0.1 is not in the kubeconfig; the cluster listing the Application was used'] };
    const m = new DriftTreeModel(snap([a]), { driftedOnly: false });
    const row = m.children(m.roots()[0])[0];
    assert.match(m.present(row).tooltip ?? '', /\$\(info\) helm kubeVersion\/apiVersions: the destination/);
  });
});
