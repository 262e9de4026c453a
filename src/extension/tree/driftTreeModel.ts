// The Drift tree as plain data: which nodes exist under which, and how each one is presented.
// No vscode import, so it is unit-tested directly; driftTreeProvider.ts maps it onto TreeItems.
import type { AppDrift, ClusterDrift, DriftSnapshot } from '../../core/engine/driftTypes';
import type { FieldChange, ResourceDiff } from '../../core/model';
import { refKey } from '../../core/model';
import type { WatchStop } from '../../core/engine/watchPlanner';
import { resourceForecastLines } from '../../core/forecast/resourceForecastLines';

export type DriftNode =
  | { type: 'cluster'; id: string; cluster: ClusterDrift }
  | { type: 'app'; id: string; context: string; drift: AppDrift }
  /** An Argo CD ApplicationSet (`namespace/name`) with the apps it generates in this cluster. */
  | { type: 'appset'; id: string; context: string; set: string; apps: AppDrift[] }
  | { type: 'kind'; id: string; context: string; drift: AppDrift; kind: string; resources: ResourceDiff[] }
  | { type: 'resource'; id: string; context: string; drift: AppDrift; diff: ResourceDiff }
  | { type: 'message'; id: string; text: string; severity: 'info' | 'warning' | 'error' };

export interface TreeFilter {
  driftedOnly: boolean;
  namespace?: string;
  nameQuery?: string;
}

export interface Presentation {
  label: string;
  description?: string;
  tooltip?: string; // markdown
  icon: { id: string; color?: string };
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

export function isDrifted(d: ResourceDiff): boolean {
  return d.status !== 'Synced';
}

export function resourceStateLabel(d: ResourceDiff): string {
  switch (d.status) {
    case 'Synced':
      return 'Synced';
    case 'MissingLive':
      return 'missing live';
    case 'ExtraLive':
      return 'prune candidate';
    case 'Unknown':
      return d.reason ? `unknown: ${d.reason}` : 'unknown';
    case 'Modified': {
      const liveOnly = d.changes.filter((c) => c.category === 'live-only').length;
      if (liveOnly > 0 && liveOnly === d.changes.length) return 'live-only edit';
      return liveOnly > 0 ? `modified · ${liveOnly} live-only` : 'modified';
    }
  }
}

export function relativeTime(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** "spec.replicas changed by kubectl-edit 12 min ago". */
export function attribution(c: FieldChange, now: Date): string {
  const verb = c.category === 'live-only' ? 'added live' : 'changed';
  const who = c.manager ? ` by ${c.manager}` : '';
  const when = c.time ? ` ${relativeTime(c.time, now)}` : '';
  return `${c.path} ${verb}${who}${when}`;
}

export type { WatchStop } from '../../core/engine/watchPlanner';

/** An app's row id: under its ApplicationSet's row when a set generates it. */
export function appNodeId(clusterId: string, a: AppDrift): string {
  return a.app.appSet ? `${appSetNodeId(clusterId, a.app.appSet)}/a:${a.app.id}` : `${clusterId}/a:${a.app.id}`;
}

function appSetNodeId(clusterId: string, set: string): string {
  return `${clusterId}/s:${set}`;
}

/** Above this many apps in a cluster, drifted apps start collapsed: the first paint stays small at scale. */
export const AUTO_EXPAND_MAX_APPS = 50;
/** Above this many targeted updates, one refresh of the whole tree is cheaper. */
const MAX_NODE_UPDATES = 50;

export class DriftTreeModel {
  private watchStops: ReadonlyMap<string, readonly WatchStop[]> = new Map();
  /** Drifted counts, computed once per snapshot (AppDrift / ClusterDrift objects are new in each snapshot). */
  private readonly counts = new WeakMap<object, number>();
  /** What the tree showed at the last takeChanges(), to refresh only what changed since. */
  private shown?: { snapshot: DriftSnapshot | undefined; filter: TreeFilter; watchStops: ReadonlyMap<string, readonly WatchStop[]> };

  constructor(
    private snapshot: DriftSnapshot | undefined,
    private filter: TreeFilter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  update(snapshot: DriftSnapshot | undefined, filter: TreeFilter = this.filter): void {
    this.snapshot = snapshot;
    this.filter = filter;
  }

  /** Per context, the watches that stopped for good; kept across snapshots until the watches are restarted. */
  setWatchStops(stops: ReadonlyMap<string, readonly WatchStop[]>): void {
    this.watchStops = stops;
  }

  private appDrifted(a: AppDrift): number {
    let n = this.counts.get(a);
    if (n === undefined) this.counts.set(a, (n = a.resources.filter(isDrifted).length));
    return n;
  }

  private clusterDrifted(c: ClusterDrift): number {
    let n = this.counts.get(c);
    if (n === undefined) this.counts.set(c, (n = c.apps.reduce((k, a) => k + this.appDrifted(a), 0)));
    return n;
  }

  /** Per snapshot: clusters by context and apps by context and id, to find a node's current data. */
  private index?: { snapshot: DriftSnapshot; clusters: Map<string, ClusterDrift>; apps: Map<string, AppDrift>; resources: WeakMap<AppDrift, Map<string, ResourceDiff>> };

  /**
   * The node with the current snapshot's data (a host may hold node objects from an earlier snapshot), or
   * undefined when it is gone.
   */
  fresh(node: DriftNode): DriftNode | undefined {
    const snap = this.snapshot;
    if (!snap) return undefined;
    if (this.index?.snapshot !== snap) {
      const clusters = new Map(snap.clusters.map((c) => [c.context, c]));
      const apps = new Map(snap.clusters.flatMap((c) => c.apps.map((a): [string, AppDrift] => [`${c.context}\u0000${a.app.id}`, a])));
      this.index = { snapshot: snap, clusters, apps, resources: new WeakMap() };
    }
    const idx = this.index;
    const appOf = (context: string, id: string) => idx.apps.get(`${context}\u0000${id}`);
    switch (node.type) {
      case 'cluster': {
        const c = idx.clusters.get(node.cluster.context);
        return c && { ...node, cluster: c };
      }
      case 'app': {
        const a = appOf(node.context, node.drift.app.id);
        return a && { ...node, drift: a };
      }
      case 'kind': {
        const a = appOf(node.context, node.drift.app.id);
        return a && { ...node, drift: a, resources: this.kindResources(a, node.kind) };
      }
      case 'appset': {
        const c = idx.clusters.get(node.context);
        const apps = c ? c.apps.filter((a) => a.app.appSet === node.set && this.appVisible(a)) : [];
        return apps.length ? { ...node, apps } : undefined;
      }
      case 'resource': {
        const a = appOf(node.context, node.drift.app.id);
        if (!a) return undefined;
        let byKey = idx.resources.get(a);
        if (!byKey) idx.resources.set(a, (byKey = new Map(a.resources.map((r) => [refKey(r.ref), r]))));
        const d = byKey.get(refKey(node.diff.ref));
        return d && { ...node, drift: a, diff: d };
      }
      default:
        return node;
    }
  }

  /** The visible resources of one kind of an app, drifted first, then by name. */
  private kindResources(a: AppDrift, kind: string): ResourceDiff[] {
    return a.resources.filter((r) => r.ref.kind === kind && this.visible(r)).sort((x, y) => Number(isDrifted(y)) - Number(isDrifted(x)) || x.ref.name.localeCompare(y.ref.name));
  }

  /**
   * The nodes to refresh since the last call: a resource whose diff changed without changing the counts above
   * it is refreshed alone, an app whose counts, state or set of resources changed is refreshed with its subtree,
   * a cluster whose count or set of apps changed (a progressive refresh loading it) likewise. Undefined: refresh
   * the whole tree (first paint, filter changed, clusters added or removed, many changes). The diff memo returns the same ResourceDiff object for an unchanged pair,
   * so unchanged resources are found by identity, and the host keeps unchanged apps' objects (unchanged apps too).
   */
  takeChanges(): DriftNode[] | undefined {
    const prev = this.shown;
    this.shown = { snapshot: this.snapshot, filter: this.filter, watchStops: this.watchStops };
    const cur = this.snapshot;
    if (!prev || !prev.snapshot || !cur || JSON.stringify(prev.filter) !== JSON.stringify(this.filter)) return undefined;
    if (prev.snapshot.clusters.length !== cur.clusters.length) return undefined;
    const out: DriftNode[] = [];
    for (let i = 0; i < cur.clusters.length; i++) {
      const pc = prev.snapshot.clusters[i];
      const cc = cur.clusters[i];
      if (pc.context !== cc.context) return undefined;
      const clusterNode: DriftNode = { type: 'cluster', id: `c:${cc.context}`, cluster: cc };
      const stopsChanged = prev.watchStops.get(cc.context) !== this.watchStops.get(cc.context);
      // The host keeps the objects of unchanged clusters and apps (snapshotChanges.ts): nothing to compare below.
      if (pc === cc && !stopsChanged) continue;
      // Its apps added, removed or reordered, loaded, failed, its counts changed: the cluster with its subtree.
      const frame = pc.apps.length !== cc.apps.length || !!pc.loading !== !!cc.loading || pc.apps.some((a, j) => a.app.id !== cc.apps[j].app.id || a.app.appSet !== cc.apps[j].app.appSet);
      if (frame || stopsChanged || cc.error?.message !== pc.error?.message || this.clusterDrifted(pc) !== this.clusterDrifted(cc) || (pc.notDeployed?.length ?? 0) !== (cc.notDeployed?.length ?? 0)) {
        out.push(clusterNode);
        continue;
      }
      for (let j = 0; j < cc.apps.length; j++) {
        const pa = pc.apps[j];
        const ca = cc.apps[j];
        if (pa === ca) continue;
        const appNode: DriftNode = { type: 'app', id: appNodeId(clusterNode.id, ca), context: cc.context, drift: ca };
        const sameSet = pa.resources.length === ca.resources.length && pa.resources.every((r, k) => refKey(r.ref) === refKey(ca.resources[k].ref));
        if (!sameSet || this.appDrifted(pa) !== this.appDrifted(ca) || JSON.stringify(pa.state) !== JSON.stringify(ca.state) || pa.errors.length !== ca.errors.length) {
          // Its ApplicationSet's row counts its apps' drift: that row with its subtree.
          const setNode = ca.app.appSet ? this.fresh({ type: 'appset', id: appSetNodeId(clusterNode.id, ca.app.appSet), context: cc.context, set: ca.app.appSet, apps: [] }) : undefined;
          out.push(setNode && this.appDrifted(pa) !== this.appDrifted(ca) ? setNode : appNode);
          continue;
        }
        let whole = false;
        const changed: ResourceDiff[] = [];
        ca.resources.forEach((r, k) => {
          const before = pa.resources[k];
          if (before === r) return;
          // Drifted ↔ in sync reorders its kind and changes counts: the app's subtree.
          if (isDrifted(before) !== isDrifted(r)) whole = true;
          else changed.push(r);
        });
        // The app's tooltip lists its drifted resources' changes: when it reads differently, its row (with its
        // subtree, which holds the changed rows); else only each changed resource's row.
        if (whole || (changed.length && !samePresentation(this.present({ ...appNode, drift: pa }), this.present(appNode)))) out.push(appNode);
        else if (changed.length) {
          out.push(...changed.map((d): DriftNode => ({ type: 'resource', id: `${appNode.id}/k:${d.ref.kind}/r:${refKey(d.ref)}`, context: cc.context, drift: ca, diff: d })));
        }
      }
      if (out.length > MAX_NODE_UPDATES) return undefined;
    }
    return out;
  }

  get currentFilter(): TreeFilter {
    return this.filter;
  }

  private visible(d: ResourceDiff): boolean {
    const f = this.filter;
    if (f.driftedOnly && !isDrifted(d)) return false;
    if (f.namespace && d.ref.namespace !== f.namespace) return false;
    if (f.nameQuery && !d.ref.name.toLowerCase().includes(f.nameQuery.toLowerCase())) return false;
    return true;
  }

  private appVisible(a: AppDrift): boolean {
    const filtering = this.filter.driftedOnly || this.filter.namespace || this.filter.nameQuery;
    return !filtering || a.resources.some((r) => this.visible(r)) || (!this.filter.nameQuery && a.errors.length > 0);
  }

  roots(): DriftNode[] {
    if (!this.snapshot) return [];
    const clusters = this.snapshot.clusters.map((c): DriftNode => ({ type: 'cluster', id: `c:${c.context}`, cluster: c }));
    return clusters;
  }

  children(node: DriftNode): DriftNode[] {
    switch (node.type) {
      case 'cluster': {
        const c = node.cluster;
        if (c.error) return [{ type: 'message', id: `${node.id}:err`, text: c.error.message, severity: 'error' }];
        const loadingMessage: DriftNode = { type: 'message', id: `${node.id}:loading`, text: c.apps.length ? 'Rendering and reading the other apps…' : 'Rendering and reading this cluster…', severity: 'info' };
        if (c.loading && !c.apps.length) return [loadingMessage];
        const apps = c.apps.filter((a) => this.appVisible(a));
        const rows = this.appRows(node.id, c.context, apps);
        if (c.loading) return [...rows, loadingMessage];
        const out: DriftNode[] = rows;
        if (apps.length === 0) out.push({ type: 'message', id: `${node.id}:empty`, text: c.apps.length ? 'Nothing matches the filter' : 'No apps of this workspace run in this cluster', severity: 'info' });
        const absent = c.notDeployed ?? [];
        if (absent.length) {
          const names = absent.slice(0, 4).map((a) => a.name).join(', ') + (absent.length > 4 ? ', …' : '');
          out.push({ type: 'message', id: `${node.id}:absent`, text: `${absent.length} workspace app${absent.length === 1 ? '' : 's'} not in this cluster: ${names}`, severity: 'info' });
        }
        return out;
      }
      case 'app': {
        if (node.drift.loading) return [];
        const out: DriftNode[] = node.drift.errors.map((e, i) => ({ type: 'message', id: `${node.id}:e${i}`, text: e.message, severity: 'error' as const }));
        const byKind = new Map<string, ResourceDiff[]>();
        for (const r of node.drift.resources) {
          if (!this.visible(r)) continue;
          const list = byKind.get(r.ref.kind) ?? [];
          list.push(r);
          byKind.set(r.ref.kind, list);
        }
        for (const [kind, resources] of [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b))) {
          resources.sort((a, b) => Number(isDrifted(b)) - Number(isDrifted(a)) || a.ref.name.localeCompare(b.ref.name));
          out.push({ type: 'kind', id: `${node.id}/k:${kind}`, context: node.context, drift: node.drift, kind, resources });
        }
        return out;
      }
      case 'appset':
        return node.apps.map((a): DriftNode => ({ type: 'app', id: appNodeId(node.id.slice(0, node.id.lastIndexOf('/s:')), a), context: node.context, drift: a }));
      case 'kind':
        return node.resources.map((d) => ({ type: 'resource', id: `${node.id}/r:${refKey(d.ref)}`, context: node.context, drift: node.drift, diff: d }));
      default:
        return [];
    }
  }

  /** A cluster's app rows: apps an ApplicationSet generates are grouped under one row for the set, where its first app is. */
  private appRows(clusterId: string, context: string, apps: AppDrift[]): DriftNode[] {
    const rows: DriftNode[] = [];
    const sets = new Map<string, Extract<DriftNode, { type: 'appset' }>>();
    for (const a of apps) {
      const set = a.app.appSet;
      if (!set) {
        rows.push({ type: 'app', id: appNodeId(clusterId, a), context, drift: a });
        continue;
      }
      let row = sets.get(set);
      if (!row) {
        sets.set(set, (row = { type: 'appset', id: appSetNodeId(clusterId, set), context, set, apps: [] }));
        rows.push(row);
      }
      row.apps.push(a);
    }
    return rows;
  }

  /**
   * The node with this id in the current snapshot and filter, or undefined when it is gone. Ids are stable across
   * snapshots (context, app id, kind, resource ref), so a row VS Code handed back from an earlier snapshot (a
   * context-menu command after a refresh) resolves to the same object's current data, never to another row.
   */
  nodeById(id: string): DriftNode | undefined {
    const walk = (level: DriftNode[]): DriftNode | undefined => {
      const hit = level.find((n) => n.id === id);
      if (hit) return hit;
      for (const n of level) {
        if (!id.startsWith(n.id + '/') && !id.startsWith(n.id + ':')) continue;
        const deeper = walk(this.children(n));
        if (deeper) return deeper;
      }
      return undefined;
    };
    return walk(this.roots());
  }

  /** The parent of a node (for reveal), found by walking down along the ids' prefixes. */
  parent(node: DriftNode): DriftNode | undefined {
    const walk = (nodes: DriftNode[]): DriftNode | undefined => {
      for (const n of nodes) {
        if (!node.id.startsWith(n.id + '/') && !node.id.startsWith(n.id + ':')) continue;
        const kids = this.children(n);
        if (kids.some((k) => k.id === node.id)) return n;
        const deeper = walk(kids);
        if (deeper) return deeper;
      }
      return undefined;
    };
    return walk(this.roots());
  }

  /** All resource nodes, for "find by name" and tests. */
  allResources(): Extract<DriftNode, { type: 'resource' }>[] {
    const out: Extract<DriftNode, { type: 'resource' }>[] = [];
    const walk = (n: DriftNode) => {
      if (n.type === 'resource') out.push(n);
      else for (const c of this.children(n)) walk(c);
    };
    for (const r of this.roots()) walk(r);
    return out;
  }

  /**
   * Of the rows shown with a relative time ("kubectl-edit 12 s ago"), those whose description reads differently
   * now: the host redraws just these on a timer, so times do not freeze between refreshes.
   */
  staleTimes(shown: Iterable<{ node: DriftNode; description?: string }>): DriftNode[] {
    const out: DriftNode[] = [];
    for (const s of shown) {
      if (!s.description || !/ ago\b/.test(s.description)) continue;
      const current = this.fresh(s.node);
      if (current && this.present(current).description !== s.description) out.push(s.node);
    }
    return out;
  }

  present(node: DriftNode): Presentation {
    const now = this.now();
    switch (node.type) {
      case 'cluster': {
        const c = node.cluster;
        const drifted = this.clusterDrifted(c);
        const stops = this.watchStops.get(c.context) ?? [];
        const off = stops.length ? ` · live updates off: ${[...new Set(stops.map((w) => w.reason))].join(', ')}` : '';
        const offTip = stops.map((w) => `  \n$(debug-disconnect) live updates off: ${w.type} — ${w.message}`).join('');
        if (c.loading) {
          const ready = c.apps.filter((a) => !a.loading).length;
          return { label: c.context, description: ready ? `loading… ${ready} app${ready === 1 ? '' : 's'} ready` : 'loading…', tooltip: `**${c.context}**  \nBeing computed; apps and clusters are shown as they finish.`, icon: { id: 'loading~spin' }, contextValue: 'cluster', collapsible: 'expanded' };
        }
        return {
          label: c.context,
          description: (c.error ? c.error.reason : drifted ? `${drifted} drifted` : 'in sync') + off,
          tooltip: `**${c.context}**${c.server ? `  \n${c.server}` : ''}${c.error ? `  \n$(error) ${c.error.message}` : ''}${offTip}`,
          icon: { id: c.error ? 'error' : 'server-environment', color: c.error ? 'errorForeground' : undefined },
          contextValue: 'cluster',
          collapsible: 'expanded',
        };
      }
      case 'app': {
        const p = presentApp(node.drift, now, this.appDrifted(node.drift));
        if (node.drift.loading) return { ...p, description: ['loading…', p.description].filter(Boolean).join(' · '), icon: { id: 'loading~spin' }, collapsible: 'none' };
        // At scale, drifted apps start collapsed (children are made when the user expands one).
        const many = (this.snapshot?.clusters.find((c) => c.context === node.context)?.apps.length ?? 0) > AUTO_EXPAND_MAX_APPS;
        return many && p.collapsible === 'expanded' ? { ...p, collapsible: 'collapsed' } : p;
      }
      case 'appset': {
        const drifted = node.apps.reduce((k, a) => k + this.appDrifted(a), 0);
        const loading = node.apps.some((a) => a.loading);
        const n = `${node.apps.length} app${node.apps.length === 1 ? '' : 's'}`;
        const name = node.set.slice(node.set.indexOf('/') + 1);
        return {
          label: name,
          description: ['ApplicationSet', n, loading ? 'loading…' : drifted ? `${drifted} drifted` : 'in sync'].join(' · '),
          tooltip: `**ApplicationSet \`${node.set}\`**  \nGenerates ${n} in this cluster: ${node.apps.map((a) => a.app.name).join(', ')}`,
          icon: { id: 'layers', color: drifted ? 'charts.yellow' : undefined },
          contextValue: 'appset',
          // Open like the cluster row, except at scale (its apps' rows are made when the user expands it).
          collapsible: (this.snapshot?.clusters.find((c) => c.context === node.context)?.apps.length ?? 0) > AUTO_EXPAND_MAX_APPS ? 'collapsed' : 'expanded',
        };
      }
      case 'kind': {
        const drifted = node.resources.filter(isDrifted).length;
        return {
          label: node.kind,
          description: drifted ? `${drifted} drifted` : `${node.resources.length}`,
          icon: { id: KIND_ICONS[node.kind] ?? 'symbol-class' },
          contextValue: 'kind',
          collapsible: drifted ? 'expanded' : 'collapsed',
        };
      }
      case 'resource':
        return presentResource(node.drift, node.diff, now);
      case 'message':
        return {
          label: node.text,
          icon: { id: node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info', color: node.severity === 'error' ? 'errorForeground' : undefined },
          contextValue: 'message',
          collapsible: 'none',
        };
    }
  }
}

function samePresentation(a: Presentation, b: Presentation): boolean {
  return a.label === b.label && a.description === b.description && a.tooltip === b.tooltip && a.icon.id === b.icon.id && a.icon.color === b.icon.color && a.contextValue === b.contextValue && a.collapsible === b.collapsible;
}

const APP_KIND_LABELS: Record<AppDrift['app']['kind'], string> = {
  'argo-application': 'Argo CD Application',
  'flux-kustomization': 'Flux Kustomization',
  'flux-helmrelease': 'Flux HelmRelease',
  folder: 'folder',
};

function presentApp(a: AppDrift, now: Date, drifted: number): Presentation {
  const s = a.state;
  const badges: string[] = [];
  if (s.controller === 'argo') {
    if (s.sync) badges.push(s.sync);
    if (s.health) badges.push(s.health);
    if (s.autoSync === 'paused') badges.push('auto-sync paused');
    if (s.skipReconcile) badges.push('skip-reconcile');
  } else if (s.controller === 'flux') {
    if (s.suspended) badges.push('suspended');
    else if (s.sync) badges.push(s.sync);
  }
  if (s.breakglass?.active) badges.push(s.breakglass.expired ? 'breakglass EXPIRED' : 'breakglass');
  if (drifted) badges.push(`${drifted} drifted`);
  if (a.app.problem) badges.push(a.app.problem);

  const lines = [`**${a.app.name}** · ${APP_KIND_LABELS[a.app.kind]}`];
  if (a.app.path) lines.push(`Source: \`${a.app.path}\` (${a.app.sourceType})`);
  const hr = a.app.helmRelease;
  if (hr) lines.push(`Release \`${hr.releaseNamespace}/${hr.releaseName}\` · chart from ${hr.chartSource}${hr.local ? '' : ' — compared with the release stored in the cluster'}`);
  if (a.app.dependsOn?.length) lines.push(`Depends on: ${a.app.dependsOn.map((d) => `\`${d}\``).join(', ')}`);
  if (s.revision) lines.push(`Revision: \`${s.revision}\``);
  if (s.operation) lines.push(`Last operation: ${s.operation.phase}${s.operation.message ? ` — ${s.operation.message}` : ''}`);
  if (s.readyMessage) lines.push(`Ready: ${s.readyMessage}`);
  if (s.ownedByApplicationSet) lines.push(`Owned by ApplicationSet \`${s.ownedByApplicationSet}\``);
  if (s.breakglass?.active) {
    const b = s.breakglass;
    lines.push(`$(flame) Breakglass: paused ${relativeTime(b.started, now).replace(' ago', '')} by ${b.user ?? 'unknown'} — ${b.reason ?? ''}${b.ticket ? ` (${b.ticket})` : ''}${b.expired ? ' — **expired**' : ''}`);
  }
  for (const r of a.resources.filter(isDrifted).slice(0, 5)) {
    for (const c of r.changes.slice(0, 2)) lines.push(`- ${r.ref.kind}/${r.ref.name}: ${attribution(c, now)}`);
  }
  for (const e of a.errors) lines.push(`$(error) ${e.message}`);
  for (const n of a.notes ?? []) lines.push(`$(info) ${n}`);

  const flags = [
    s.controller,
    s.autoSync === 'on' ? 'auto' : s.autoSync === 'paused' ? 'paused' : '',
    s.skipReconcile ? 'skipped' : '',
    s.suspended ? 'suspended' : '',
    s.operation && !['Succeeded', 'Failed', 'Error'].includes(s.operation.phase) ? 'running' : '',
    s.breakglass?.active ? 'breakglass' : '',
  ].filter(Boolean);
  const icon = s.breakglass?.active
    ? { id: 'flame', color: 'charts.orange' }
    : a.errors.length
      ? { id: 'warning', color: 'problemsWarningIcon.foreground' }
      : drifted
        ? { id: 'git-compare', color: 'charts.yellow' }
        : { id: 'pass', color: 'charts.green' };
  return {
    label: a.app.name,
    description: badges.join(' · '),
    tooltip: lines.join('  \n'),
    icon,
    contextValue: `app:${flags.join(':')}`,
    collapsible: drifted ? 'expanded' : 'collapsed',
  };
}

/** Codicons that make the common kinds recognisable at a glance. */
const KIND_ICONS: Record<string, string> = {
  Deployment: 'rocket',
  StatefulSet: 'database',
  DaemonSet: 'server-process',
  ReplicaSet: 'layers',
  Job: 'run',
  CronJob: 'watch',
  Pod: 'vm',
  Service: 'plug',
  Ingress: 'globe',
  NetworkPolicy: 'shield',
  ConfigMap: 'settings-gear',
  Secret: 'lock',
  ServiceAccount: 'account',
  Role: 'key',
  ClusterRole: 'key',
  RoleBinding: 'link',
  ClusterRoleBinding: 'link',
  HorizontalPodAutoscaler: 'graph-line',
  PodDisruptionBudget: 'pulse',
  PersistentVolumeClaim: 'archive',
  Namespace: 'symbol-namespace',
  CustomResourceDefinition: 'symbol-interface',
  Application: 'package',
  ApplicationSet: 'versions',
  Kustomization: 'package',
  HelmRelease: 'package',
  GitRepository: 'repo',
};

const RESOURCE_ICONS: Record<ResourceDiff['status'], { id: string; color?: string }> = {
  Synced: { id: 'pass', color: 'charts.green' },
  Modified: { id: 'diff-modified', color: 'charts.yellow' },
  MissingLive: { id: 'diff-added', color: 'charts.blue' },
  ExtraLive: { id: 'trash', color: 'charts.red' },
  Unknown: { id: 'question', color: 'disabledForeground' },
};

function presentResource(a: AppDrift, d: ResourceDiff, now: Date): Presentation {
  const liveOnlyOnly = d.status === 'Modified' && d.changes.length > 0 && d.changes.every((c) => c.category === 'live-only');
  const icon = liveOnlyOnly ? { id: 'person', color: 'charts.orange' } : RESOURCE_ICONS[d.status];
  const lines = [`**${d.ref.kind} ${d.ref.namespace ? `${d.ref.namespace}/` : ''}${d.ref.name}** — ${resourceStateLabel(d)}`];
  for (const c of d.changes.slice(0, 12)) {
    lines.push(`- \`${c.path}\`: ${fmt(c.desired)} → ${fmt(c.live)}${c.manager ? ` (${c.manager}${c.time ? `, ${relativeTime(c.time, now)}` : ''})` : ''}`);
  }
  if (d.changes.length > 12) lines.push(`- … ${d.changes.length - 12} more`);
  lines.push(...resourceForecastLines(a, d, now)); // revert forecast (issue 15, src/core/forecast)
  if (d.source) lines.push(`Source: \`${d.source.file}\`:${d.source.startLine}`);
  const first = d.changes[0];
  return {
    label: d.ref.name,
    description: `${resourceStateLabel(d)}${first?.manager ? ` · ${first.manager}${first.time ? ` ${relativeTime(first.time, now)}` : ''}` : ''}`,
    tooltip: lines.join('  \n'),
    icon,
    // `:breakglass` when the app is in one: the menus offer End (not a second Start) on its resources too.
    // `:modified` (something to capture), `:missing` (nothing live to open), `:nosource` (no file to reveal): the
    // menus offer only what can work on it.
    contextValue: `resource:${a.state.controller === 'none' ? 'folder' : a.state.controller}${isDrifted(d) ? ':drifted' : ''}${d.status === 'Modified' ? ':modified' : ''}${d.status === 'MissingLive' ? ':missing' : ''}${d.source ? '' : ':nosource'}${a.state.breakglass?.active ? ':breakglass' : ''}`,
    collapsible: 'none',
  };
}

function fmt(v: unknown): string {
  if (v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return '`' + (s.length > 60 ? s.slice(0, 57) + '…' : s) + '`';
}
