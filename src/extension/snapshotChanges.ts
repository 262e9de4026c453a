// What changed between two drift snapshots, app by app, so the editor updates only that (issue 16 item 5: one
// watch event refreshes one node, not the tree). The engine builds new AppDrift objects on every re-diff, with the
// same ResourceDiff objects where a pair did not change (diffMemo); here an app equal to the one shown keeps the
// object shown, so everything downstream (index, tree counts, decorations) can find unchanged apps by identity.
import type { AppDrift, ClusterDrift, DriftSnapshot } from '../core/engine/driftTypes';

export interface AppChange {
  context: string;
  /** Position of the cluster in the snapshot and of the app in its cluster (the same before and after). */
  clusterIndex: number;
  appIndex: number;
  before: AppDrift;
  after: AppDrift;
}

export interface SnapshotChanges {
  /** Clusters were added, removed or reordered: rebuild everything. */
  whole: boolean;
  /**
   * When not whole: positions of the clusters whose frame changed (apps added, removed or reordered, loaded, failed):
   * rebuild what shows them. A progressive first refresh replaces one loading cluster at a time.
   */
  clusters: number[];
  /** When not whole: the apps whose drift changed in the other clusters (all else is the objects shown before). */
  apps: AppChange[];
  /** Workspace files changed since the last snapshot: what was derived from reading files starts over. */
  filesChanged?: boolean;
}

export const WHOLE: SnapshotChanges = { whole: true, clusters: [], apps: [] };
export const NOTHING: SnapshotChanges = { whole: false, clusters: [], apps: [] };

/** Whether anything beyond single apps changed (what cannot be patched app by app is redrawn). */
export function framesChanged(c: SnapshotChanges): boolean {
  return c.whole || c.clusters.length > 0;
}

function sameLiveApp(a: AppDrift['liveApp'], b: AppDrift['liveApp']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.metadata.uid === b.metadata.uid && a.metadata.resourceVersion !== undefined && a.metadata.resourceVersion === b.metadata.resourceVersion;
}

/** Whether the app shows and acts exactly the same: then the object shown stays. */
export function sameAppDrift(a: AppDrift, b: AppDrift): boolean {
  if (a === b) return true;
  if (!!a.loading !== !!b.loading) return false;
  if (a.resources.length !== b.resources.length || a.errors.length !== b.errors.length || a.skipped.length !== b.skipped.length) return false;
  for (let i = 0; i < a.resources.length; i++) if (a.resources[i] !== b.resources[i]) return false;
  if (a.liveContext !== b.liveContext || !sameLiveApp(a.liveApp, b.liveApp)) return false;
  if (a.app !== b.app && JSON.stringify(a.app) !== JSON.stringify(b.app)) return false;
  if (JSON.stringify(a.state) !== JSON.stringify(b.state) || JSON.stringify(a.notes) !== JSON.stringify(b.notes)) return false;
  for (let i = 0; i < a.errors.length; i++) {
    const x = a.errors[i];
    const y = b.errors[i];
    if (x.reason !== y.reason || x.message !== y.message || JSON.stringify(x.details) !== JSON.stringify(y.details)) return false;
  }
  for (let i = 0; i < a.skipped.length; i++) if (a.skipped[i].file !== b.skipped[i].file || a.skipped[i].reason !== b.skipped[i].reason) return false;
  return true;
}

function sameClusterFrame(a: ClusterDrift, b: ClusterDrift): boolean {
  if (a.context !== b.context || !!a.loading !== !!b.loading || a.server !== b.server || a.apps.length !== b.apps.length) return false;
  if (a.error?.message !== b.error?.message || a.error?.reason !== b.error?.reason) return false;
  const na = a.notDeployed ?? [];
  const nb = b.notDeployed ?? [];
  if (na.length !== nb.length || na.some((x, i) => x.id !== nb[i].id || x.name !== nb[i].name)) return false;
  for (let i = 0; i < a.apps.length; i++) if (a.apps[i].app.id !== b.apps[i].app.id) return false;
  return true;
}

/**
 * The snapshot to show after `prev`: `next`, with every app equal to the one shown replaced by that object (and a
 * cluster none of whose apps changed by the cluster shown), plus the list of apps that changed. Other clusters
 * (or their order) are `whole`; a cluster whose apps were added, removed or reordered, or that loaded or failed, is
 * listed in `clusters`.
 */
export function stabilize(prev: DriftSnapshot | undefined, next: DriftSnapshot | undefined): { snapshot: DriftSnapshot | undefined; changes: SnapshotChanges } {
  if (!prev || !next || prev.clusters.length !== next.clusters.length || prev.clusters.some((c, i) => c.context !== next.clusters[i].context)) return { snapshot: next, changes: WHOLE };
  const apps: AppChange[] = [];
  const framed: number[] = [];
  const clusters = next.clusters.map((nc, c) => {
    const pc = prev.clusters[c];
    if (!sameClusterFrame(pc, nc)) {
      framed.push(c);
      return nc;
    }
    let changed = false;
    const kept = nc.apps.map((na, i) => {
      const pa = pc.apps[i];
      if (sameAppDrift(pa, na)) return pa;
      changed = true;
      apps.push({ context: nc.context, clusterIndex: c, appIndex: i, before: pa, after: na });
      return na;
    });
    return changed ? { ...nc, apps: kept } : pc;
  });
  return { snapshot: { ...next, clusters }, changes: { whole: false, clusters: framed, apps } };
}
