// The tree at scale (issue 16 item 5): counts once per snapshot, drifted apps start collapsed above a size, and
// an update refreshes the nodes that changed (a resource, its app, its cluster), not the whole tree.
import * as assert from 'node:assert/strict';
import { AUTO_EXPAND_MAX_APPS, DriftTreeModel, type DriftNode } from '../../../src/extension/tree/driftTreeModel';
import type { AppDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { ResourceDiff } from '../../../src/core/model';
import { appStateOf } from '../../../src/core/engine/appState';

const res = (name: string, status: ResourceDiff['status'], replicas = 2): ResourceDiff => ({
  ref: { group: 'apps', kind: 'Deployment', namespace: 'web', name },
  status,
  changes: status === 'Synced' ? [] : [{ path: 'spec.replicas', category: 'modified', desired: 2, live: replicas, manager: 'kubectl-edit' }],
});

function app(i: number, resources: ResourceDiff[]): AppDrift {
  return { app: { id: `folder:a${i}`, name: `a${i}`, kind: 'folder', sourceType: 'directory' }, state: appStateOf(undefined), resources, errors: [], skipped: [] };
}

function snap(apps: AppDrift[]): DriftSnapshot {
  return { clusters: [{ context: 'prod', apps }], computedAt: '2026-12-05T00:00:00Z', timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } };
}

/** The next snapshot as the engine makes it: new AppDrift objects, the same ResourceDiff objects where nothing changed. */
function next(s: DriftSnapshot, change: (a: AppDrift, i: number) => ResourceDiff[] = (a) => a.resources): DriftSnapshot {
  return snap(s.clusters[0].apps.map((a, i) => ({ ...a, resources: change(a, i) })));
}

describe('DriftTreeModel updates', () => {
  const base = () => snap([app(0, [res('web', 'Modified', 5), res('api', 'Synced')]), app(1, [res('db', 'Synced')])]);

  it('refreshes the whole tree first, and nothing when nothing changed', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    assert.equal(m.takeChanges(), undefined, 'first paint: everything');
    m.update(next(s));
    assert.deepEqual(m.takeChanges(), []);
  });

  it('a changed value of a drifted resource refreshes that row only', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    m.takeChanges();
    m.update(next(s, (a, i) => (i === 0 ? [res('web', 'Modified', 7), a.resources[1]] : a.resources)));
    const nodes = m.takeChanges()!;
    assert.deepEqual(nodes.map((n) => n.id), ['c:prod/a:folder:a0/k:Deployment/r:apps/Deployment/web/web']);
    assert.match(m.present(nodes[0]).tooltip!, /→ `7`/);
  });

  it('a resource drifting changes the counts: its cluster (with its subtree) is refreshed', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    m.takeChanges();
    m.update(next(s, (a, i) => (i === 1 ? [res('db', 'Modified', 3)] : a.resources)));
    const nodes = m.takeChanges()!;
    assert.deepEqual(nodes.map((n) => n.id), ['c:prod']);
    assert.equal(m.present(nodes[0]).description, '2 drifted');
  });

  it('a changed filter refreshes everything; a new app or a cluster that finished loading refreshes its cluster', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    m.takeChanges();
    m.update(next(s), { driftedOnly: true });
    assert.equal(m.takeChanges(), undefined);
    m.update(snap([...s.clusters[0].apps, app(2, [])]), { driftedOnly: true });
    assert.deepEqual(m.takeChanges()?.map((n) => n.id), ['c:prod']);
    m.update({ ...s, clusters: [{ context: 'prod', apps: [], loading: true }] });
    assert.deepEqual(m.takeChanges()?.map((n) => n.id), ['c:prod']);
    m.update({ ...s, clusters: [...s.clusters, { context: 'stage', apps: [] }] });
    assert.equal(m.takeChanges(), undefined, 'a new cluster: the roots');
  });

  it('fresh() gives a node held from an earlier snapshot the current data', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    const appNode = m.children(m.roots()[0])[0];
    const kind = m.children(appNode)[0] as Extract<DriftNode, { type: 'kind' }>;
    m.update(next(s, (a, i) => (i === 0 ? [res('web', 'Modified', 9), res('api', 'Modified', 4)] : a.resources)));
    const fresh = m.fresh(kind) as Extract<DriftNode, { type: 'kind' }>;
    assert.deepEqual(fresh.resources.map((r) => r.changes[0]?.live), [4, 9]);
    assert.equal(m.present(m.fresh(appNode)!).description, '2 drifted');
  });

  it(`drifted apps start expanded in a small cluster and collapsed above ${AUTO_EXPAND_MAX_APPS} apps`, () => {
    const small = new DriftTreeModel(base(), { driftedOnly: false });
    assert.equal(small.present(small.children(small.roots()[0])[0]).collapsible, 'expanded');
    const many = snap(Array.from({ length: AUTO_EXPAND_MAX_APPS + 1 }, (_, i) => app(i, [res(`w${i}`, 'Modified', 5)])));
    const big = new DriftTreeModel(many, { driftedOnly: false });
    assert.equal(big.present(big.children(big.roots()[0])[0]).collapsible, 'collapsed');
  });
  // A context-menu command gets the row object VS Code holds, which may come from an earlier snapshot when the
  // tree refreshed between the right-click and the menu choice: it resolves by its stable id to the current data.
  it('nodeById resolves a row held from an earlier snapshot to its current data, and a gone row to undefined', () => {
    const s = base();
    const m = new DriftTreeModel(s, { driftedOnly: false });
    const appNode = m.children(m.roots()[0])[1] as Extract<DriftNode, { type: 'app' }>;
    const kind = m.children(m.children(m.roots()[0])[0])[0];
    const resource = m.children(kind)[0] as Extract<DriftNode, { type: 'resource' }>;
    const s2 = next(s, (a, i) => (i === 1 ? [res('db', 'Modified', 3)] : i === 0 ? [res('web', 'Modified', 8), a.resources[1]] : a.resources));
    m.update(s2);
    const app1 = m.nodeById(appNode.id) as Extract<DriftNode, { type: 'app' }>;
    assert.equal(app1.drift, s2.clusters[0].apps[1], 'the app of the current snapshot, not the held one');
    assert.equal(app1.drift.app.name, 'a1');
    const r = m.nodeById(resource.id) as Extract<DriftNode, { type: 'resource' }>;
    assert.equal(r.diff.changes[0].live, 8);
    assert.equal(m.nodeById(kind.id)?.type, 'kind');
    m.update(snap([s2.clusters[0].apps[0]]));
    assert.equal(m.nodeById(appNode.id), undefined, 'a1 is gone: no other app stands in for it');
    assert.equal(m.nodeById('c:prod/a:folder:a'), undefined);
  });
});
