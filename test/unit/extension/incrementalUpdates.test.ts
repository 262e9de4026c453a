// Issue 16 item 5, one watch event refreshes one node: the editor patches its drift index app by app and fires
// the tree rows of the changed app only. Differential tests: after every step of a random sequence of re-diffs,
// the patched index answers exactly as an index built from scratch, and a simulated tree host that redraws only
// the rows the model names shows exactly what a tree drawn from scratch shows.
import * as assert from 'node:assert/strict';
import type { AppDrift, ClusterDrift, DriftSnapshot } from '../../../src/core/engine/driftTypes';
import type { ResourceDiff } from '../../../src/core/model';
import { refKey } from '../../../src/core/model';
import { appStateOf } from '../../../src/core/engine/appState';
import { DriftIndex, type IndexedResource } from '../../../src/extension/driftIndex';
import { stabilize, type SnapshotChanges } from '../../../src/extension/snapshotChanges';
import { DriftTreeModel, type DriftNode, type Presentation } from '../../../src/extension/tree/driftTreeModel';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['Deployment', 'Service', 'ConfigMap'];
const STATUSES: ResourceDiff['status'][] = ['Synced', 'Synced', 'Synced', 'Modified', 'MissingLive', 'Unknown'];

function diff(r: () => number, name: string, kind: string, file: string, line: number, status = STATUSES[Math.floor(r() * STATUSES.length)]): ResourceDiff {
  return {
    ref: { group: kind === 'Deployment' ? 'apps' : '', kind, namespace: 'ns', name },
    status,
    changes: status === 'Modified' ? [{ path: 'spec.replicas', category: r() < 0.3 ? 'live-only' : 'modified', desired: 2, live: Math.floor(r() * 9), manager: 'kubectl-edit' }] : [],
    source: { file, startLine: line, endLine: line + 9, documentIndex: line },
  };
}

/** Two clusters of apps; resources share files across apps and refs across apps (a shared base), as real repos do. */
function world(seed: number): { snap: DriftSnapshot; r: () => number } {
  const r = rng(seed);
  const clusters: ClusterDrift[] = ['prod', 'stage'].map((context) => ({
    context,
    apps: Array.from({ length: 6 }, (_, i) => ({
      app: { id: `folder:app${i}`, name: `app${i}`, kind: 'folder' as const, sourceType: 'directory' as const },
      state: appStateOf(undefined),
      resources: Array.from({ length: 2 + Math.floor(r() * 5) }, (_, k) => diff(r, `${k < 2 ? 'shared' : `a${i}`}-${k}`, KINDS[k % 3], `/repo/${k < 2 ? 'base' : `app${i}`}/f${k % 2}.yaml`, k * 10)),
      errors: [],
      skipped: [],
    })),
  }));
  return { snap: { clusters, computedAt: '2026-12-06T00:00:00Z', timings: { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 } }, r };
}

/** Apps of a cluster shown as loading, to bring back when it has loaded. */
const loadedApps = new Map<string, AppDrift[]>();

/** The next snapshot as the engine makes it: every AppDrift new, ResourceDiffs the same objects unless changed. */
function rediff(prev: DriftSnapshot, r: () => number, frames = false): { next: DriftSnapshot; changed: Set<string> } {
  const changed = new Set<string>();
  const clusters = prev.clusters.map((c): ClusterDrift => {
    if (frames && r() < 0.1) {
      // The cluster's frame changes: it starts loading again, finishes loading, or an app comes or goes.
      changed.add(c.context);
      if (c.loading) return { context: c.context, apps: loadedApps.get(c.context)!.map((a) => ({ ...a })) };
      const what = r();
      if (what < 0.3) {
        loadedApps.set(c.context, c.apps);
        return { context: c.context, apps: [], loading: true };
      }
      if (what < 0.6 && c.apps.length > 1) return { ...c, apps: c.apps.filter((_, i) => i !== Math.floor(r() * c.apps.length)) };
      const n = Math.floor(r() * 1e6);
      const added: AppDrift = { app: { id: `folder:new${n}`, name: `new${n}`, kind: 'folder', sourceType: 'directory' }, state: appStateOf(undefined), resources: [diff(r, `new-${n}`, 'Service', `/repo/base/f0.yaml`, 50), diff(r, 'shared-0', 'Deployment', '/repo/base/f0.yaml', 0)], errors: [], skipped: [] };
      const at = Math.floor(r() * (c.apps.length + 1));
      return { ...c, apps: [...c.apps.slice(0, at), added, ...c.apps.slice(at)] };
    }
    return {
    ...c,
    apps: c.apps.map((a): AppDrift => {
      if (r() > 0.15) return { ...a, resources: [...a.resources], state: { ...a.state } };
      changed.add(`${c.context}/${a.app.id}`);
      const resources = [...a.resources];
      const k = Math.floor(r() * resources.length);
      const old = resources[k];
      const what = r();
      if (what < 0.6) resources[k] = diff(r, old.ref.name, old.ref.kind, old.source!.file, old.source!.startLine);
      else if (what < 0.8) resources.push(diff(r, `new-${Math.floor(r() * 1e6)}`, 'ConfigMap', `/repo/base/f${Math.floor(r() * 2)}.yaml`, 100));
      else if (resources.length > 1) resources.splice(k, 1);
      else resources[k] = { ...old, status: old.status === 'Synced' ? 'Modified' : 'Synced' };
      return { ...a, resources, state: r() < 0.2 ? { ...a.state, sync: 'OutOfSync' } : { ...a.state } };
    }),
    };
  });
  return { next: { ...prev, clusters, computedAt: new Date(Date.parse(prev.computedAt) + 1000).toISOString() }, changed };
}

/** Everything the index answers, in a comparable shape. */
function answers(index: DriftIndex, snap: DriftSnapshot): unknown {
  const show = (e: IndexedResource | undefined) => e && `${e.context}/${e.drift.app.id}/${refKey(e.diff.ref)}/${e.diff.status}/${e.diff.changes[0]?.live ?? ''}`;
  const files = new Set<string>();
  const refs = new Set<string>();
  for (const c of snap.clusters) for (const a of c.apps) for (const d of a.resources) {
    files.add(d.source!.file);
    refs.add(`${c.context}|${a.app.id}|${JSON.stringify(d.ref)}`);
  }
  return {
    apps: index.allApps().map((a) => `${a.context}/${a.drift.app.id}/${a.drift.resources.length}`),
    resources: index.allResources().map(show),
    drifted: index.driftedCount(),
    files: [...files].sort().map((f) => [f, index.forFile(f).map(show)]),
    refs: [...refs].sort().map((k) => {
      const [context, appId, ref] = k.split('|');
      return [k, show(index.resource({ context, appId, ref: JSON.parse(ref) })), show(index.resource({ context, appId: '*', ref: JSON.parse(ref) }))];
    }),
    appResources: snap.clusters.flatMap((c) => c.apps.map((a) => index.appResources(c.context, a.app.id).map(show))),
  };
}

describe('incremental updates (issue 16: one watch event updates one app)', () => {
  it('stabilize keeps the objects of unchanged apps and clusters and names exactly the changed apps', () => {
    const { snap, r } = world(1);
    for (let step = 0; step < 30; step++) {
      const prev = step === 0 ? snap : stabilize(undefined, snap).snapshot!;
      const { next, changed } = rediff(prev, r);
      const { snapshot, changes } = stabilize(prev, next);
      assert.equal(changes.whole, false);
      const named = new Set(changes.apps.map((c) => `${c.context}/${c.after.app.id}`));
      // A changed app may by chance be equal to the one shown (a status flipped twice): then it is not named.
      for (const k of named) assert.ok(changed.has(k), `${k} named but not changed`);
      snapshot!.clusters.forEach((c, ci) => {
        c.apps.forEach((a, ai) => {
          const key = `${c.context}/${a.app.id}`;
          if (named.has(key)) assert.equal(a, next.clusters[ci].apps[ai]);
          else assert.equal(a, prev.clusters[ci].apps[ai], `${key}: the object shown stays`);
        });
        if (!c.apps.some((a) => named.has(`${c.context}/${a.app.id}`))) assert.equal(c, prev.clusters[ci]);
      });
    }
  });

  it('a cluster more or less is a whole change; a new app, a failed or a loaded cluster changes that cluster', () => {
    const { snap } = world(2);
    const withApp: DriftSnapshot = { ...snap, clusters: [{ ...snap.clusters[0], apps: [...snap.clusters[0].apps, { ...snap.clusters[0].apps[0], app: { ...snap.clusters[0].apps[0].app, id: 'folder:x' } }] }, snap.clusters[1]] };
    assert.deepEqual(stabilize(snap, withApp).changes, { whole: false, clusters: [0], apps: [] });
    assert.equal(stabilize(snap, { ...snap, clusters: [snap.clusters[0]] }).changes.whole, true);
    assert.equal(stabilize(snap, { ...snap, clusters: [...snap.clusters].reverse() }).changes.whole, true);
    assert.deepEqual(stabilize(snap, { ...snap, clusters: [snap.clusters[0], { ...snap.clusters[1], error: { name: 'GitOpsError', reason: 'unreachable', message: 'down' } as never }] }).changes.clusters, [1]);
    const loading: DriftSnapshot = { ...snap, clusters: [snap.clusters[0], { context: 'stage', apps: [], loading: true }] };
    const loaded = stabilize(loading, snap);
    assert.deepEqual(loaded.changes.clusters, [1]);
    assert.equal(loaded.snapshot!.clusters[0], loading.clusters[0], 'the cluster shown before stays');
    assert.equal(stabilize(undefined, snap).changes.whole, true);
    // An app shown loading (rendered, not diffed) that is diffed without resources has changed all the same.
    const placeholder: DriftSnapshot = { ...snap, clusters: [{ ...snap.clusters[0], apps: snap.clusters[0].apps.map((a, i) => (i === 0 ? { ...a, resources: [], loading: true } : a)), loading: true }, snap.clusters[1]] };
    const diffed: DriftSnapshot = { ...placeholder, clusters: [{ ...placeholder.clusters[0], apps: placeholder.clusters[0].apps.map((a, i) => (i === 0 ? { ...a, loading: undefined } : a)) }, snap.clusters[1]] };
    assert.deepEqual(stabilize(placeholder, diffed).changes.apps.map((c) => c.after.app.id), ['folder:app0']);
  });

  for (const seed of [3, 4, 5, 6]) {
    it(`the patched index answers as one built from scratch after each of 40 re-diffs and loads (seed ${seed})`, () => {
      const w = world(seed);
      let shown = w.snap;
      const index = new DriftIndex(shown);
      let framed = 0;
      for (let step = 0; step < 40; step++) {
        const { next } = rediff(shown, w.r, true);
        const { snapshot, changes } = stabilize(shown, next);
        assert.equal(changes.whole, false);
        framed += changes.clusters.length;
        index.patch(snapshot, changes);
        shown = snapshot!;
        assert.deepEqual(answers(index, shown), answers(new DriftIndex(shown), shown), `step ${step}`);
      }
      assert.ok(framed > 0, 'some steps loaded a cluster or changed its apps');
    });
  }

  /**
   * A tree host like the provider: it asks for the children of every node (all expanded) and draws each row once;
   * after an update it redraws only the rows the model names, with their subtrees, or everything.
   */
  class SimulatedTree {
    rows = new Map<string, { p: Presentation; children: string[] }>();
    fired: string[][] = [];
    constructor(private readonly model: DriftTreeModel) {
      model.takeChanges();
      this.drawAll();
    }
    private draw(node: DriftNode): void {
      const kids = this.model.children(node);
      this.rows.set(node.id, { p: this.model.present(node), children: kids.map((k) => k.id) });
      for (const k of kids) this.draw(k);
    }
    private drawAll(): void {
      this.rows.clear();
      for (const r of this.model.roots()) this.draw(r);
    }
    update(): void {
      const nodes = this.model.takeChanges();
      if (!nodes) {
        this.fired.push(['<root>']);
        return this.drawAll();
      }
      this.fired.push(nodes.map((n) => n.id));
      for (const n of nodes) {
        const current = this.model.fresh(n);
        assert.ok(current, `${n.id} is in the current snapshot`);
        this.draw(current);
      }
    }
    /** The rows reachable from the roots, as drawn. */
    visible(): Record<string, Presentation> {
      const out: Record<string, Presentation> = {};
      const walk = (id: string) => {
        const row = this.rows.get(id)!;
        out[id] = row.p;
        row.children.forEach(walk);
      };
      for (const r of this.model.roots()) walk(r.id);
      return out;
    }
  }

  const NOW = new Date('2026-12-06T00:10:00Z');

  for (const seed of [7, 8, 9]) {
    it(`a tree that redraws only the named rows shows what a fresh tree shows after each of 40 re-diffs and loads (seed ${seed})`, () => {
      const w = world(seed);
      let shown = w.snap;
      const model = new DriftTreeModel(shown, { driftedOnly: false }, () => NOW);
      const tree = new SimulatedTree(model);
      for (let step = 0; step < 40; step++) {
        const { next } = rediff(shown, w.r, true);
        shown = stabilize(shown, next).snapshot!;
        model.update(shown);
        tree.update();
        const fresh = new SimulatedTree(new DriftTreeModel(shown, { driftedOnly: false }, () => NOW));
        assert.deepEqual(tree.visible(), fresh.visible(), `step ${step}`);
      }
      assert.ok(tree.fired.every((f) => !f.includes('<root>')), 'never the whole tree');
    });
  }

  it('one changed resource fires its row only; a count change fires its cluster; nothing else is fired', () => {
    let snap = world(10).snap;
    const model = new DriftTreeModel(snap, { driftedOnly: false }, () => NOW);
    const tree = new SimulatedTree(model);
    const edit = (ci: number, ai: number, change: (d: ResourceDiff) => ResourceDiff): SnapshotChanges => {
      const next: DriftSnapshot = { ...snap, clusters: snap.clusters.map((c, i) => ({ ...c, apps: c.apps.map((a, j) => ({ ...a, resources: i === ci && j === ai ? a.resources.map((d, k) => (k === 0 ? change(d) : d)) : [...a.resources] })) })) };
      const { snapshot, changes } = stabilize(snap, next);
      snap = snapshot!;
      model.update(snap);
      tree.update();
      return changes;
    };
    // A drifted resource whose live value changes again: its row.
    const target = snap.clusters[1].apps[2];
    snap = { ...snap, clusters: [snap.clusters[0], { ...snap.clusters[1], apps: snap.clusters[1].apps.map((a) => (a === target ? { ...a, resources: [diff(rng(1), a.resources[0].ref.name, a.resources[0].ref.kind, '/repo/x.yaml', 0, 'Modified'), ...a.resources.slice(1)] } : a)) }] };
    model.update(snap);
    tree.update();
    const changes = edit(1, 2, (d) => ({ ...d, changes: [{ ...d.changes[0], live: 42 }] }));
    assert.deepEqual(changes.apps.map((c) => c.after.app.id), ['folder:app2']);
    const d0 = snap.clusters[1].apps[2].resources[0];
    assert.deepEqual(tree.fired.at(-1), [`c:stage/a:folder:app2/k:${d0.ref.kind}/r:${refKey(d0.ref)}`]);
    // The same resource back in sync: the counts above it change, so its cluster (with its subtree).
    edit(1, 2, (d) => ({ ...d, status: 'Synced', changes: [] }));
    assert.deepEqual(tree.fired.at(-1), ['c:stage']);
    // A re-diff that changes nothing fires nothing.
    edit(0, 0, (d) => d);
    assert.deepEqual(tree.fired.at(-1), []);
  });
});
