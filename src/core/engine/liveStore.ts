// Pipeline stage 3, the live store: per cluster context, the live objects each app's desired objects have, the
// tracked objects Git no longer declares, the app objects (Application / Kustomization), what could not be read,
// and what to watch. Kept current by watch events (applyLiveEvent) and relists (resyncLive) between full fetches.
import type { App, GitOpsError, KubeObject, RenderedObject } from '../model';
import { desiredRef } from './desiredRef';
import { isGitOpsError, refKey, refOf, GitOpsError as GitOpsErrorClass } from '../model';
import { appsForCluster } from '../discovery/appsForCluster';
import { appSetsForCluster, clusterSecretNamespaces } from '../discovery/appSetsForCluster';
import { isArgoApplicationSet } from '../discovery/argoApps';
import { usesClusterGenerator } from '../discovery/appSetClusters';
import { readClusterSecrets } from './clusterSecrets';
import type { RepoInfo } from '../discovery/repoInfo';
import type { KubeClient } from '../kube/types';
import { fetchLiveState } from '../kube/live-state';
import { argoInstanceName, argoTrackingApp, fluxOwner } from '../kube/tracking';
import { isClusterScoped } from '../render/clusterScoped';
import { appObjectKey, isAppObject, listAppObjects, type WatchScope } from './appDiscovery';
import { applierOf } from './diffMemo';
import { withoutUnreadLastApplied } from './slimLive';

export interface ClusterCache {
  /** Live objects by refKey, per app id. */
  live: Map<string, Map<string, KubeObject>>;
  /** Tracked live objects no longer in Git, per app id. */
  extra: Map<string, Map<string, KubeObject>>;
  liveApps: Map<string, KubeObject>;
  /** refKeys each app renders, to pick up objects created after the last list. */
  desired: Map<string, Set<string>>;
  /** The render result `desired` was computed from, per app id (an unchanged render is not keyed again). */
  desiredFrom: Map<string, object>;
  /** Objects (by refKey) or apps (`app:<id>`) whose live state could not be read. */
  failures: Map<string, GitOpsError>;
  /** Ids of the workspace apps the cache was built for. */
  wsIds: string;
  /** Apps whose objects live in another cluster (Argo CD destination): app id → that cluster's context. */
  targets: Map<string, string>;
  /** Server-side dry-run answers by app id and refKey, with the live resourceVersion they were computed for. */
  predicted: Map<string, { liveVersion: string; desired: KubeObject; object: KubeObject }>;
  /** The apps computed in this cluster: those it runs, live apps rendering from here, and apps not placeable. */
  apps: App[];
  /**
   * Workspace Argo CD / Flux apps whose own object is not in this cluster (they run in another one, or nowhere yet):
   * never rendered, read or diffed here, whatever else fails in this cluster.
   */
  elsewhere: App[];
  /** Where the app kinds (Application, Kustomization…) were listed: all namespaces, or only those the user may read. */
  appScopes: WatchScope[];
  /** Workspace apps whose own Application / Kustomization object could not be read (forbidden), by app id. */
  appFailures: Map<string, GitOpsError>;
  /** The successful LISTs of the last fetch, per context the objects were read from: what to watch. */
  scopes: Map<string, WatchScope[]>;
}

export type LiveEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface BufferedEvent {
  context: string;
  type: LiveEventType;
  obj: KubeObject;
}

export interface LiveStoreOptions {
  clientFor(context: string): KubeClient;
  /** The kubeconfig context of an Argo CD destination cluster, when an Application deploys to another cluster. */
  contextForDestination?(destination: { server?: string; name?: string }): string | undefined;
}

export function toGitOpsError(e: unknown): GitOpsError {
  if (isGitOpsError(e)) return e;
  return new GitOpsErrorClass('internal', e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Whether an app is computed in a cluster: folder apps always (their objects decide), an Argo CD / Flux app when
 * its own object is there or could not be read there (then where it runs is unknown and it is shown as such).
 */
export function placedHere(app: App, liveApps: ReadonlyMap<string, KubeObject>, appFailures: ReadonlyMap<string, GitOpsError>): boolean {
  const key = app.kind === 'folder' ? undefined : appObjectKey(app);
  return !key || liveApps.has(key) || appFailures.has(app.id);
}

/**
 * Which apps of a cluster an event can concern, so that an event (and a watch's first list of 20,000 objects)
 * costs lookups, not a pass over every app: the apps declaring each key, the apps holding it as an extra, and
 * the apps by the owner an object names (Argo CD instance, Flux Kustomization), which is what isTrackedBy compares.
 */
interface EventIndex {
  declaring: Map<string, App[]>;
  byOwner: Map<string, App[]>;
  /** Rebuilt from cache.extra when undefined (a fetch or relist changed the extras). */
  holding?: Map<string, Set<App>>;
}

const ownerKeyOf = (app: App): string | undefined =>
  app.kind === 'argo-application' ? `argo|${argoInstanceName(app.name, app.namespace)}` : app.kind === 'flux-kustomization' ? `flux|${app.namespace ?? ''}/${app.name}` : undefined;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export class LiveStore {
  /** Per cluster cache: dropped when what it was built from (the desired keys) changes. */
  private readonly indexes = new WeakMap<ClusterCache, EventIndex>();
  private readonly clusters = new Map<string, ClusterCache>();
  /** Event buffers of the full fetches in flight. */
  private readonly eventBuffers = new Set<BufferedEvent[]>();

  constructor(private readonly opts: LiveStoreOptions) {}

  /** Every cluster's cache (apps found there render from this workspace too). */
  caches(): IterableIterator<ClusterCache> {
    return this.clusters.values();
  }

  /**
   * The cache to compute `context` with: the held one for a re-diff while the workspace apps are the ones it was
   * fetched for, else a new one (the cluster's app objects listed again; live objects are fetched by `load`).
   */
  async open(context: string, client: KubeClient, wsApps: App[], repos: RepoInfo[], reuseLive: boolean, signal?: AbortSignal): Promise<ClusterCache> {
    const cache = this.clusters.get(context);
    const wsIds = wsApps.map((a) => a.id).join('\u0000');
    // An Application / Kustomization created or deleted since (a watch event) moves an app in or out: read again.
    if (cache && reuseLive && cache.wsIds === wsIds && !cache.elsewhere.some((a) => placedHere(a, cache.liveApps, cache.appFailures))) return cache;
    const { objects: appObjects, scopes: appScopes, failures: appFailures } = await listAppObjects(client, wsApps, signal);
    const liveApps = new Map<string, KubeObject>();
    for (const o of appObjects) liveApps.set(refKey(refOf(o)), o);
    // The workspace apps this cluster runs (the definition at each live app's path), plus apps that live in the
    // cluster and render from this workspace's repositories. Declared apps whose object is not here run elsewhere.
    // ApplicationSets with a clusters generator expand with this cluster's Argo CD cluster Secrets.
    const liveSets = appObjects.filter((o) => isArgoApplicationSet(o) && usesClusterGenerator(o));
    const namespaces = clusterSecretNamespaces(wsApps, liveSets);
    const read = namespaces.length ? await readClusterSecrets(client, namespaces, signal) : undefined;
    const candidates = appsForCluster(read ? appSetsForCluster(wsApps, repos, read.secrets) : wsApps, appObjects, repos, read?.secrets);
    // A set whose Secrets could not be read is an error in this cluster (its apps are unknown), not "elsewhere":
    // when the set is there, or ApplicationSets could not be listed and Argo CD Applications live in its namespace.
    const setsListed = appScopes.some((t) => t.kind === 'ApplicationSet' && !t.namespace);
    for (const a of candidates) {
      const failed = a.id.startsWith('argo-appset:') && a.appSetDefinition && read?.failures.get(a.appSetDefinition.metadata.namespace ?? 'argocd');
      if (!failed) continue;
      const here = setsListed ? liveApps.has(`argoproj.io/ApplicationSet/${a.namespace ?? ''}/${a.name}`) : [...liveApps.keys()].some((k) => k.startsWith(`argoproj.io/Application/${a.namespace ?? ''}/`));
      if (here) appFailures.set(a.id, failed);
    }
    const apps = candidates.filter((a) => placedHere(a, liveApps, appFailures));
    const elsewhere = candidates.filter((a) => !placedHere(a, liveApps, appFailures));
    return { live: new Map(), extra: new Map(), liveApps, desired: new Map(), desiredFrom: new Map(), failures: new Map(), predicted: new Map(), targets: new Map(), apps, elsewhere, wsIds, appScopes, appFailures, scopes: new Map() };
  }

  /** Records the keys each app renders; true when some app's set changed (its live state must be read again). */
  setDesired(cache: ClusterCache, apps: App[], rendered: { objects: RenderedObject[] }[]): boolean {
    let changed = false;
    for (let i = 0; i < apps.length; i++) {
      if (cache.desiredFrom.get(apps[i].id) === rendered[i] && cache.desired.has(apps[i].id)) continue;
      cache.desiredFrom.set(apps[i].id, rendered[i]);
      this.indexes.delete(cache);
      const keys = new Set(rendered[i].objects.map((o) => refKey(desiredRef(o.object, apps[i]))));
      const before = cache.desired.get(apps[i].id);
      if (!before || before.size !== keys.size || [...keys].some((k) => !before.has(k))) changed = true;
      cache.desired.set(apps[i].id, keys);
    }
    return changed;
  }

  /**
   * Makes `cache` the held state of `context`, first reading the live objects again when `fetching`. Watch events
   * that arrive while the LISTs run are kept and replayed onto the new state.
   */
  async load(context: string, client: KubeClient, cache: ClusterCache, rendered: { objects: RenderedObject[] }[], fetching: boolean, signal?: AbortSignal): Promise<void> {
    const buffered: BufferedEvent[] = [];
    if (fetching) this.eventBuffers.add(buffered);
    try {
      if (fetching) await this.fetch(context, client, cache, rendered, signal);
      this.clusters.set(context, cache);
      // Events applied while the LISTs ran indexed the state being replaced.
      if (fetching) this.indexes.delete(cache);
    } finally {
      this.eventBuffers.delete(buffered);
    }
    if (fetching) for (const e of this.notYetListed(context, cache, buffered)) this.applyLiveEvent(e.context, e.type, e.obj);
  }

  private async fetch(context: string, client: KubeClient, cache: ClusterCache, rendered: { objects: RenderedObject[] }[], signal?: AbortSignal): Promise<void> {
    const apps = cache.apps;
    const desired = new Map(apps.map((a, i) => [a.id, rendered[i].objects]));
    cache.failures = new Map([...cache.appFailures].map(([id, e]) => [`app:${id}`, e]));
    this.indexes.delete(cache);
    cache.targets = new Map();
    cache.scopes = new Map();
    // Apps are read from the cluster their objects live in: this one, or an Argo CD destination elsewhere.
    const groups = new Map<string, App[]>();
    for (const app of apps) {
      const target = this.targetOf(app, context);
      if (target instanceof GitOpsErrorClass) {
        cache.failures.set(`app:${app.id}`, target);
        cache.live.set(app.id, new Map());
        cache.extra.set(app.id, new Map());
        continue;
      }
      if (target !== context) cache.targets.set(app.id, target);
      groups.set(target, [...(groups.get(target) ?? []), app]);
    }
    await Promise.all(
      [...groups].map(async ([target, group]) => {
        try {
          const live = await fetchLiveState({ client: target === context ? client : this.opts.clientFor(target), apps: group, desired, signal });
          cache.scopes.set(target, live.scopes.map((s) => ({ group: s.type.group, kind: s.type.kind, ...(s.namespace ? { namespace: s.namespace } : {}) })));
          // Each live object is held once per cluster (every app holding it shares it), slimmed for the appliers
          // of the apps holding it.
          const managers = new Map<string, Set<string | undefined>>();
          const holds = (key: string, app: App) => {
            let m = managers.get(key);
            if (!m) managers.set(key, (m = new Set()));
            m.add(applierOf(app));
          };
          for (const app of group) for (const key of cache.desired.get(app.id) ?? []) if (live.live.has(key)) holds(key, app);
          const byId = new Map(group.map((a) => [a.id, a]));
          for (const x of live.extra) if (byId.has(x.appId)) holds(x.key, byId.get(x.appId)!);
          const held = new Map<KubeObject, KubeObject>();
          const slim = (key: string, o: KubeObject): KubeObject => {
            let h = held.get(o);
            if (!h) held.set(o, (h = withoutUnreadLastApplied(o, managers.get(key) ?? [undefined])));
            return h;
          };
          const extraByApp = new Map<string, Map<string, KubeObject>>();
          for (const x of live.extra) {
            let m = extraByApp.get(x.appId);
            if (!m) extraByApp.set(x.appId, (m = new Map()));
            m.set(x.key, slim(x.key, x.object));
          }
          for (const app of group) {
            const mine = new Map<string, KubeObject>();
            for (const key of cache.desired.get(app.id) ?? []) {
              const o = live.live.get(key);
              if (o) mine.set(key, slim(key, o));
            }
            cache.live.set(app.id, mine);
            cache.extra.set(app.id, extraByApp.get(app.id) ?? new Map());
          }
          for (const f of live.failures) cache.failures.set(f.key ?? `app:${f.appId ?? ''}`, f.error);
        } catch (e) {
          // The app's own cluster failing fails the cluster; a destination cluster failing fails its apps.
          if (target === context || (isGitOpsError(e) && e.reason === 'cancelled')) throw e;
          const err = toGitOpsError(e);
          for (const app of group) {
            cache.failures.set(`app:${app.id}`, new GitOpsErrorClass(err.reason, `destination cluster ${target}: ${err.message}`, err.details));
            cache.live.set(app.id, new Map());
            cache.extra.set(app.id, new Map());
          }
        }
      }),
    );
  }

  /** The context to read an app's objects from, or why there is none. */
  private targetOf(app: App, context: string): string | GitOpsError {
    if (app.kind !== 'argo-application') return context;
    const dest = (app.definition?.spec as { destination?: { server?: string; name?: string } } | undefined)?.destination;
    const inCluster = !dest || (!dest.server && !dest.name) || dest.server === 'https://kubernetes.default.svc' || dest.name === 'in-cluster';
    if (inCluster) return context;
    const target = this.opts.contextForDestination?.(dest);
    if (target) return target;
    return new GitOpsErrorClass('notFound', `${app.name} deploys to ${dest.name ?? dest.server}, which no kubeconfig context points at; add that cluster's context to see its live state`);
  }

  /** Contexts other than the selected ones that hold apps' objects (Argo CD destinations), to watch as well. */
  destinationContexts(): string[] {
    const out = new Set<string>();
    for (const [hub, cache] of this.clusters) for (const t of cache.targets.values()) if (t !== hub) out.add(t);
    return [...out];
  }

  /**
   * The events buffered during a fetch that its LIST does not reflect yet. resourceVersions are opaque: they are
   * only compared for equality, never ordered. The watch stream's order decides: for each object, the events after
   * the last one whose version the LIST returned are newer; when the LIST returned none of the buffered versions,
   * all of them are replayed in stream order (should the LIST have been newer, the stream delivers that version
   * later and it wins again).
   */
  private notYetListed(hub: string, cache: ClusterCache, buffered: BufferedEvent[]): BufferedEvent[] {
    const idOf = (e: { context: string; obj: KubeObject }) => `${e.context}\u0000${refKey(refOf(e.obj))}`;
    const listedAt = new Map<string, number>();
    buffered.forEach((e, i) => {
      const rv = e.obj.metadata.resourceVersion;
      if (e.type !== 'DELETED' && rv !== undefined && this.heldVersions(hub, cache, e.context, refKey(refOf(e.obj))).has(String(rv))) listedAt.set(idOf(e), i);
    });
    return buffered.filter((e, i) => i > (listedAt.get(idOf(e)) ?? -1));
  }

  /** The resourceVersions held for an object of `context` by the apps of one cluster (as listed). */
  private heldVersions(hub: string, cache: ClusterCache, context: string, key: string): Set<string> {
    const out = new Set<string>();
    for (const app of cache.apps) {
      if ((cache.targets.get(app.id) ?? hub) !== context) continue;
      for (const m of [cache.live.get(app.id), cache.extra.get(app.id)]) {
        const rv = m?.get(key)?.metadata.resourceVersion;
        if (rv !== undefined) out.add(String(rv));
      }
    }
    if (hub === context) {
      const rv = cache.liveApps.get(key)?.metadata.resourceVersion;
      if (rv !== undefined) out.add(String(rv));
    }
    return out;
  }

  /**
   * What to watch for a context so that the held live state stays current: exactly the (type, namespace) pairs
   * the last fetch could LIST there, plus the app kinds where they were listed. A user limited to some namespaces
   * gets per-namespace watches (a cluster-wide watch would be forbidden and stop at once).
   */
  watchTypes(context: string): WatchScope[] {
    const seen = new Map<string, WatchScope>();
    const add = (s: WatchScope) => seen.set(`${s.group}/${s.kind}/${s.namespace ?? ''}`, { group: s.group, kind: s.kind, ...(s.namespace ? { namespace: s.namespace } : {}) });
    for (const s of this.clusters.get(context)?.appScopes ?? []) add(s);
    for (const cache of this.clusters.values()) for (const s of cache.scopes.get(context) ?? []) add(s);
    // A watch across all namespaces covers the per-namespace ones of its type.
    return [...seen.values()].filter((s) => !s.namespace || !seen.has(`${s.group}/${s.kind}/`));
  }

  /**
   * A watch's full state of one type (after its first list, or a relist on 410 Gone): objects of that type that
   * are not in it were deleted meanwhile. Returns true when something the snapshot shows changed.
   */
  resyncLive(context: string, type: WatchScope, items: KubeObject[]): boolean {
    const present = new Set(items.map((o) => refKey(refOf(o))));
    let changed = false;
    for (const [hub, cache] of this.clusters) {
      let extraGone = false;
      for (const app of cache.apps) {
        if ((cache.targets.get(app.id) ?? hub) !== context) continue;
        for (const m of [cache.live.get(app.id), cache.extra.get(app.id)]) {
          for (const [key, o] of m ?? []) {
            // A namespace's state says nothing about the other namespaces.
            if (o.kind === type.kind && refOf(o).group === type.group && (!type.namespace || o.metadata.namespace === type.namespace) && !present.has(key)) {
              m!.delete(key);
              changed = true;
              if (m === cache.extra.get(app.id)) extraGone = true;
            }
          }
        }
      }
      // The event index's extras are rebuilt only when an extra went (a relist that changed nothing keeps it).
      const index = this.indexes.get(cache);
      if (index && extraGone) index.holding = undefined;
    }
    for (const o of items) changed = this.applyLiveEvent(context, 'MODIFIED', o) || changed;
    return changed;
  }

  /**
   * Applies one watch event to the held live state. Returns true when something the snapshot shows changed
   * (the caller then re-runs compute with reuseLive, which only re-diffs).
   */
  applyLiveEvent(context: string, type: LiveEventType, obj: KubeObject): boolean {
    for (const b of this.eventBuffers) b.push({ context, type, obj });
    const key = refKey(refOf(obj));
    let changed = false;
    // The object's owners, read once per event (not once per app).
    let owners: string[] | undefined;
    const ownersOf = (): string[] => {
      if (owners) return owners;
      const argo = argoTrackingApp(obj, isClusterScoped(obj.kind));
      const flux = fluxOwner(obj);
      return (owners = [...(argo ? [`argo|${argo}`] : []), ...(flux?.kind === 'Kustomization' ? [`flux|${flux.namespace}/${flux.name}`] : [])]);
    };
    for (const [hub, cache] of this.clusters) {
      if (hub === context && isAppObject(obj, refOf(obj).group) && (type === 'DELETED' || !sameVersion(cache.liveApps.get(key), obj))) {
        if (type === 'DELETED') cache.liveApps.delete(key);
        else cache.liveApps.set(key, obj);
        changed = true;
        // An Application can also be a resource of a parent app (app of apps): fall through.
      }
      const index = this.indexFor(cache);
      // Apps declaring the object, holding it as an extra, or (unless deleted) named as its owner: no other app
      // is concerned (isTrackedBy compares exactly that owner).
      const concerned = new Set<App>([...(index.declaring.get(key) ?? []), ...(index.holding!.get(key) ?? []), ...(type === 'DELETED' ? [] : ownersOf().flatMap((o) => index.byOwner.get(o) ?? []))]);
      // Held slimmed for the appliers of the apps it concerns (once per cluster, shared by them).
      const kept = concerned.size ? withoutUnreadLastApplied(obj, [...concerned].map(applierOf)) : obj;
      for (const app of concerned) {
        // Each app reads its objects from its destination cluster (its own cluster unless Argo deploys elsewhere).
        if ((cache.targets.get(app.id) ?? hub) !== context) continue;
        const live = cache.live.get(app.id);
        const extra = cache.extra.get(app.id);
        if (!live || !extra) continue;
        if (cache.desired.get(app.id)?.has(key)) {
          if (type === 'DELETED') changed = live.delete(key) || changed;
          else if (!sameVersion(live.get(key), obj)) {
            live.set(key, kept);
            changed = true;
          }
        } else if (extra.has(key) || (type !== 'DELETED' && ownersOf().includes(ownerKeyOf(app)!))) {
          if (type === 'DELETED') {
            extra.delete(key);
            index.holding!.get(key)?.delete(app);
            changed = true;
          } else if (!sameVersion(extra.get(key), obj)) {
            extra.set(key, kept);
            let h = index.holding!.get(key);
            if (!h) index.holding!.set(key, (h = new Set()));
            h.add(app);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  /** The cache's event index, built on first use after the desired keys or the extras changed. */
  private indexFor(cache: ClusterCache): EventIndex {
    let index = this.indexes.get(cache);
    if (!index) {
      index = { declaring: new Map(), byOwner: new Map() };
      for (const app of cache.apps) {
        for (const key of cache.desired.get(app.id) ?? []) push(index.declaring, key, app);
        const owner = ownerKeyOf(app);
        if (owner) push(index.byOwner, owner, app);
      }
      this.indexes.set(cache, index);
    }
    if (!index.holding) {
      const holding = new Map<string, Set<App>>();
      for (const app of cache.apps) {
        for (const key of cache.extra.get(app.id)?.keys() ?? []) {
          let h = holding.get(key);
          if (!h) holding.set(key, (h = new Set()));
          h.add(app);
        }
      }
      index.holding = holding;
    }
    return index;
  }

}

/**
 * The held object is this very version (same uid and resourceVersion): a relist or a repeated event brings nothing
 * new, so nothing is re-diffed for it. Objects without a resourceVersion are never taken as the same.
 */
function sameVersion(held: KubeObject | undefined, obj: KubeObject): boolean {
  const rv = obj.metadata.resourceVersion;
  return !!held && !!rv && held.metadata.resourceVersion === rv && held.metadata.uid === obj.metadata.uid;
}
