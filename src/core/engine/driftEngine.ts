// The drift pipeline: discover apps → render desired state → fetch live state → diff, per cluster context.
// Keeps caches between runs (rendered apps until their files change, live objects kept current by watch
// events) so that the editor can re-diff one object or one app without starting over.
import * as path from 'node:path';
import type { App, GitOpsError, KubeObject, ObjectRef, RenderedObject, ResourceDiff } from '../model';
import type { CaptureOrigin } from '../capture/captureTypes';
import { isGitOpsError, refKey, refOf, GitOpsError as GitOpsErrorClass } from '../model';
import { silentLogger, systemClock, throwIfAborted, type Clock, type Logger, type ProcessRunner } from '../ports';
import { discoverApps } from '../discovery/discoverApps';
import { appsForCluster } from '../discovery/appsForCluster';
import { readRepoInfo, type RepoInfo } from '../discovery/repoInfo';
import { renderApp } from '../render/renderApp';
import type { RenderResult } from '../render/types';
import { parseManifests } from '../yaml/parseManifests';
import { defaultNamespace } from '../render/clusterScoped';
import type { KubeClient, TypeRef } from '../kube/types';
import { mapWithConcurrency } from '../kube/concurrency';
import { fetchLiveState } from '../kube/live-state';
import { isTrackedBy } from '../kube/tracking';
import { isClusterScoped } from '../render/clusterScoped';
import { diffResource } from '../diff/diffResource';
import type { DiffOptions, IgnoreDifference } from '../diff/options';
import type { FieldChangeEx } from '../diff/changes';
import { appStateOf } from './appState';
import { withTrackingMetadata } from './trackingMetadata';
import { withoutLiveOnly } from './withoutLiveOnly';
import type { AppDrift, ClusterDrift, DriftSnapshot, DriftTimings } from './driftTypes';

export interface DriftEngineOptions {
  /** Workspace folders (absolute). */
  roots: string[];
  clientFor(context: string): KubeClient;
  runner: ProcessRunner;
  /** False in an untrusted workspace: kustomize/helm never run. */
  trusted: boolean;
  kustomizePath?: string;
  helmPath?: string;
  humanManagers?: string[];
  /**
   * `server-side`: each object that exists live is also sent as a server-side apply dry run (`dryRun=All`,
   * force, as the app's field manager) and the server's answer is what is compared with live; objects the server
   * cannot answer for (forbidden, unsupported) fall back to the offline prediction. The mode is on each result.
   */
  diffMode?: 'offline' | 'server-side';
  /**
   * The kubeconfig context of an Argo CD destination cluster (`spec.destination.server` / `.name`), when an
   * Application deploys to another cluster than the one it lives in; undefined when no context matches.
   */
  contextForDestination?(destination: { server?: string; name?: string }): string | undefined;
  log?: Logger;
  clock?: Clock;
}

export interface ComputeOptions {
  signal?: AbortSignal;
  /** Unsaved editor contents by absolute file path: the desired side reflects them. */
  overlays?: ReadonlyMap<string, string>;
  /** Re-diff against the live objects already held (kept current by watch events) instead of listing again. */
  reuseLive?: boolean;
}

export const APP_TYPES: TypeRef[] = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
  { group: 'source.toolkit.fluxcd.io', kind: 'GitRepository' },
];

function appTypeOfKind(kind: string): TypeRef {
  return APP_TYPES.find((t) => t.kind === kind)!;
}

interface ClusterCache {
  /** Live objects by refKey, per app id. */
  live: Map<string, Map<string, KubeObject>>;
  /** Tracked live objects no longer in Git, per app id. */
  extra: Map<string, Map<string, KubeObject>>;
  liveApps: Map<string, KubeObject>;
  /** refKeys each app renders, to pick up objects created after the last list. */
  desired: Map<string, Set<string>>;
  /** Objects (by refKey) or apps (`app:<id>`) whose live state could not be read. */
  failures: Map<string, GitOpsError>;
  /** Ids of the workspace apps the cache was built for. */
  wsIds: string;
  /** Apps whose objects live in another cluster (Argo CD destination): app id → that cluster's context. */
  targets: Map<string, string>;
  /** Server-side dry-run answers by app id and refKey, with the live resourceVersion they were computed for. */
  predicted: Map<string, { liveVersion: string; desired: KubeObject; object: KubeObject }>;
  apps: App[];
  /** Where the app kinds (Application, Kustomization…) were listed: all namespaces, or only those the user may read. */
  appScopes: WatchScope[];
  /** Workspace apps whose own Application / Kustomization object could not be read (forbidden), by app id. */
  appFailures: Map<string, GitOpsError>;
  /** The successful LISTs of the last fetch, per context the objects were read from: what to watch. */
  scopes: Map<string, WatchScope[]>;
}

/** A type to watch, in one namespace or (namespace undefined) across all of them / cluster-scoped. */
export interface WatchScope extends TypeRef {
  namespace?: string;
}

/** App kind → the resource its live object is (for reading it when the kind cannot be listed everywhere). */
const APP_OBJECT_TYPE: Partial<Record<App['kind'], TypeRef>> = {
  'argo-application': appTypeOfKind('Application'),
  'flux-kustomization': appTypeOfKind('Kustomization'),
};

function appObjectKey(app: App): string | undefined {
  if (!app.namespace) return undefined;
  const group = app.kind === 'argo-application' ? 'argoproj.io' : app.kind === 'flux-kustomization' ? 'kustomize.toolkit.fluxcd.io' : undefined;
  if (!group) return undefined;
  return `${group}/${app.kind === 'argo-application' ? 'Application' : 'Kustomization'}/${app.namespace}/${app.name}`;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Argo `spec.ignoreDifferences` of the live (else declared) Application. */
function ignoreRulesOf(app: App, liveApp?: KubeObject): IgnoreDifference[] | undefined {
  const spec = (liveApp?.spec ?? app.definition?.spec) as { ignoreDifferences?: IgnoreDifference[] } | undefined;
  return Array.isArray(spec?.ignoreDifferences) ? spec.ignoreDifferences : undefined;
}

function applierOf(app: App): string | undefined {
  if (app.kind === 'argo-application') return 'argocd-controller';
  if (app.kind === 'flux-kustomization') return 'kustomize-controller';
  return undefined;
}

export class DriftEngine {
  private appsPromise?: Promise<{ apps: App[]; repos: RepoInfo[] }>;
  private appsResolved?: App[];
  private readonly renders = new Map<string, Promise<RenderResult>>();
  private readonly clusters = new Map<string, ClusterCache>();
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly opts: DriftEngineOptions) {
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
  }

  /** Drops cached renders of apps containing these files; app definitions changing drops discovery too. */
  invalidateFiles(files: string[]): void {
    if (!files.length) return;
    this.appsPromise = undefined;
    const { renders } = this;
    // Workspace apps and apps found in the clusters (they render from this workspace too).
    const resolved = [...(this.appsResolved ?? []), ...[...this.clusters.values()].flatMap((c) => c.apps)];
    // Kustomize and helm apps may read files outside their folder (bases, value files): re-render them all.
    for (const app of resolved) {
      if (app.sourceType !== 'directory' || (app.path && files.some((f) => isInside(f, app.path!)))) renders.delete(app.id);
    }
    if (!resolved.length) renders.clear();
  }

  // Cached work is shared by every caller, so it never runs under one caller's AbortSignal (a cancelled refresh
  // must not fail the next one); callers stop waiting when their own signal aborts.
  private async discover(signal?: AbortSignal): Promise<{ apps: App[]; repos: RepoInfo[] }> {
    this.appsPromise ??= (async () => {
      const repos: RepoInfo[] = [];
      for (const r of this.opts.roots) {
        const info = await readRepoInfo(r, { runner: this.opts.runner });
        if (info) repos.push(info);
      }
      const apps = await discoverApps(this.opts.roots, { runner: this.opts.runner, repos });
      this.appsResolved = apps;
      return { apps, repos };
    })();
    this.appsPromise.catch(() => (this.appsPromise = undefined));
    const result = await this.appsPromise;
    throwIfAborted(signal);
    return result;
  }

  private async render(app: App, overlays: ReadonlyMap<string, string> | undefined, signal?: AbortSignal): Promise<RenderResult> {
    // Unsaved text is used for plain manifest folders; kustomize and helm render the saved files.
    const dirty = overlays && app.path && app.sourceType === 'directory' ? [...overlays.keys()].filter((f) => isInside(f, app.path!)) : [];
    if (!dirty.length) {
      let p = this.renders.get(app.id);
      if (!p) {
        p = renderApp(app, { runner: this.opts.runner, kustomizePath: this.opts.kustomizePath, helmPath: this.opts.helmPath, trusted: this.opts.trusted });
        this.renders.set(app.id, p);
        p.catch(() => this.renders.delete(app.id));
      }
      const result = await p;
      throwIfAborted(signal);
      return result;
    }
    // Unsaved edits: plain files are re-parsed from the editor text; kustomize sees the saved files only.
    const base = await this.render(app, undefined, signal);
    const objects = base.objects.filter((o) => !o.source || !overlays!.has(o.source.file));
    const errors = [...base.errors];
    for (const file of dirty) {
      if (!base.objects.some((o) => o.source?.file === file)) continue;
      const parsed = parseManifests(overlays!.get(file)!, file);
      for (const p of parsed.errors) errors.push(new GitOpsErrorClass('parse', `${file}:${p.line ?? '?'}: ${p.message}`, { file, line: p.line }));
      for (const d of parsed.docs) {
        objects.push({ object: defaultNamespace(d.object, app.destinationNamespace), source: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine } });
      }
    }
    return { objects, skipped: base.skipped, errors };
  }

  async compute(contexts: string[], opts: ComputeOptions = {}): Promise<DriftSnapshot> {
    const t0 = Date.now();
    const timings: DriftTimings = { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 };
    const { apps, repos } = await this.discover(opts.signal);
    timings.discoverMs = Date.now() - t0;
    const clusters = await Promise.all(contexts.map((c) => this.computeCluster(c, apps, repos, opts, timings)));
    timings.totalMs = Date.now() - t0;
    return { clusters, computedAt: this.clock.now().toISOString(), timings };
  }

  /**
   * The Argo CD / Flux objects of the cluster. A kind the user may not list in all namespaces is listed in the
   * namespaces of the workspace's apps of that kind; a workspace app whose own object stays unreadable is reported
   * as such (not as "not in this cluster").
   */
  private async listAppObjects(client: KubeClient, wsApps: App[], signal?: AbortSignal): Promise<{ objects: KubeObject[]; scopes: WatchScope[]; failures: Map<string, GitOpsError> }> {
    const scopes: WatchScope[] = [];
    const failures = new Map<string, GitOpsError>();
    const lists = await Promise.all(
      APP_TYPES.map(async (type): Promise<KubeObject[]> => {
        try {
          const items = (await client.list(type, { signal })).items;
          scopes.push({ ...type });
          return items;
        } catch (e) {
          // A cluster without Argo CD or Flux simply does not serve these kinds.
          if (isGitOpsError(e) && e.reason === 'notFound') return [];
          if (!(isGitOpsError(e) && e.reason === 'forbidden')) throw e;
        }
        const mine = wsApps.filter((a) => a.namespace && APP_OBJECT_TYPE[a.kind] === type);
        const out: KubeObject[] = [];
        for (const ns of new Set(mine.map((a) => a.namespace!))) {
          try {
            out.push(...(await client.list(type, { namespace: ns, signal })).items);
            scopes.push({ ...type, namespace: ns });
          } catch (e) {
            if (isGitOpsError(e) && e.reason === 'notFound') continue;
            if (!(isGitOpsError(e) && e.reason === 'forbidden')) throw e;
            for (const a of mine) if (a.namespace === ns) failures.set(a.id, new GitOpsErrorClass('forbidden', `cannot read ${type.kind} ${ns}/${a.name}: ${e.message}`, e.details));
          }
        }
        return out;
      }),
    );
    return { objects: lists.flat(), scopes, failures };
  }

  private async computeCluster(context: string, wsApps: App[], repos: RepoInfo[], opts: ComputeOptions, timings: DriftTimings): Promise<ClusterDrift> {
    const signal = opts.signal;
    let client: KubeClient;
    try {
      client = this.opts.clientFor(context);
    } catch (e) {
      return { context, apps: [], error: toGitOpsError(e) };
    }
    const buffered: { context: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }[] = [];
    try {
      let cache = this.clusters.get(context);
      // A re-diff reuses the live state only while the set of workspace apps is the one it was fetched for.
      const wsIds = wsApps.map((a) => a.id).join('\u0000');
      if (!cache || !opts.reuseLive || cache.wsIds !== wsIds) {
        const { objects: appObjects, scopes: appScopes, failures: appFailures } = await this.listAppObjects(client, wsApps, signal);
        const liveApps = new Map<string, KubeObject>();
        for (const o of appObjects) liveApps.set(refKey(refOf(o)), o);
        // The workspace apps this cluster runs (the definition at each live app's path), plus apps that live in the
        // cluster and render from this workspace's repositories.
        cache = { live: new Map(), extra: new Map(), liveApps, desired: new Map(), failures: new Map(), predicted: new Map(), targets: new Map(), apps: appsForCluster(wsApps, appObjects, repos), wsIds, appScopes, appFailures, scopes: new Map() };
      }
      const apps = cache.apps;

      const tRender = Date.now();
      // API discovery (part of fetching) runs while kustomize renders; a failure surfaces from the fetch below.
      if (!opts.reuseLive) client.discover(signal).catch(() => {});
      const rendered = await Promise.all(apps.map((a) => this.render(a, opts.overlays, signal).catch((e): RenderResult => ({ objects: [], skipped: [], errors: [toGitOpsError(e)] }))));
      timings.renderMs = Math.max(timings.renderMs, Date.now() - tRender);
      throwIfAborted(signal);
      // Objects added to or removed from Git need their live state (or prune status) read: fetch again then.
      let desiredChanged = false;
      for (let i = 0; i < apps.length; i++) {
        const keys = new Set(rendered[i].objects.map((o) => refKey(refOf(o.object, apps[i].destinationNamespace ?? ''))));
        const before = cache.desired.get(apps[i].id);
        if (!before || before.size !== keys.size || [...keys].some((k) => !before.has(k))) desiredChanged = true;
        cache.desired.set(apps[i].id, keys);
      }

      const fetching = !opts.reuseLive || cache.live.size === 0 || desiredChanged;
      // Watch events that arrive while the LIST runs are kept and replayed onto the new state (below).
      if (fetching) this.eventBuffers.add(buffered);
      if (fetching) {
        const t = Date.now();
        const desired = new Map(apps.map((a, i) => [a.id, rendered[i].objects]));
        cache.failures = new Map([...cache.appFailures].map(([id, e]) => [`app:${id}`, e]));
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
              cache!.scopes.set(target, live.scopes.map((s) => ({ group: s.type.group, kind: s.type.kind, ...(s.namespace ? { namespace: s.namespace } : {}) })));
              for (const app of group) {
                const mine = new Map<string, KubeObject>();
                for (const key of cache!.desired.get(app.id) ?? []) {
                  const o = live.live.get(key);
                  if (o) mine.set(key, o);
                }
                cache!.live.set(app.id, mine);
                cache!.extra.set(app.id, new Map(live.extra.filter((x) => x.appId === app.id).map((x) => [x.key, x.object])));
              }
              for (const f of live.failures) cache!.failures.set(f.key ?? `app:${f.appId ?? ''}`, f.error);
            } catch (e) {
              // The app's own cluster failing fails the cluster; a destination cluster failing fails its apps.
              if (target === context || (isGitOpsError(e) && e.reason === 'cancelled')) throw e;
              const err = toGitOpsError(e);
              for (const app of group) {
                cache!.failures.set(`app:${app.id}`, new GitOpsErrorClass(err.reason, `destination cluster ${target}: ${err.message}`, err.details));
                cache!.live.set(app.id, new Map());
                cache!.extra.set(app.id, new Map());
              }
            }
          }),
        );
        timings.fetchMs = Math.max(timings.fetchMs, Date.now() - t);
      }
      this.clusters.set(context, cache);
      if (fetching) {
        this.eventBuffers.delete(buffered);
        for (const e of this.notYetListed(context, cache, buffered)) this.applyLiveEvent(e.context, e.type, e.obj);
      }
      if (this.opts.diffMode === 'server-side') {
        const byTarget = (id: string) => cache!.targets.get(id) ?? context;
        for (const target of new Set(apps.map((a) => byTarget(a.id)))) {
          const idx = apps.map((a, i) => (byTarget(a.id) === target ? i : -1)).filter((i) => i >= 0);
          await this.dryRunAll(target === context ? client : this.opts.clientFor(target), idx.map((i) => apps[i]), idx.map((i) => rendered[i]), cache, signal);
        }
      }

      const tDiff = Date.now();
      const drifts: AppDrift[] = [];
      const notDeployed: App[] = [];
      for (let i = 0; i < apps.length; i++) {
        const drift = this.diffApp(context, apps[i], rendered[i], cache);
        if (drift) drifts.push(drift);
        else notDeployed.push(apps[i]);
      }
      timings.diffMs += Date.now() - tDiff;
      return { context, server: client.server, apps: drifts, notDeployed };
    } catch (e) {
      this.eventBuffers.delete(buffered);
      if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
      this.log.warn(`${context}: ${(e as Error).message}`);
      return { context, server: client.server, apps: [], error: toGitOpsError(e) };
    }
  }

  /** Asks the API server what applying each desired object would give (only for versions not asked before). */
  private async dryRunAll(client: KubeClient, apps: App[], rendered: RenderResult[], cache: ClusterCache, signal?: AbortSignal): Promise<void> {
    const jobs: { app: App; key: string; rendered: KubeObject; desired: KubeObject; live: KubeObject }[] = [];
    apps.forEach((app, i) => {
      const live = cache.live.get(app.id);
      for (const r of rendered[i].objects) {
        const key = refKey(refOf(r.object, app.destinationNamespace ?? ''));
        const l = live?.get(key);
        const memoKey = `${app.id}\u0000${key}`;
        const memo = cache.predicted.get(memoKey);
        // Asked again when live or Git changed (a rendered object is the same reference until its render is redone).
        if (l && (memo?.liveVersion !== liveVersion(l) || memo.desired !== r.object)) jobs.push({ app, key: memoKey, rendered: r.object, desired: withTrackingMetadata(r.object, l, app), live: l });
      }
    });
    await mapWithConcurrency(jobs, 8, async (j) => {
      try {
        const body = stripServerFields(j.desired);
        const object = await client.patch(refOf(j.live), body, { type: 'apply', fieldManager: applierOf(j.app) ?? 'gitops-drift-preview', force: true, dryRun: true, signal });
        cache.predicted.set(j.key, { liveVersion: liveVersion(j.live), desired: j.rendered, object });
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        cache.predicted.delete(j.key); // offline prediction for this one
        this.log.info(`server-side dry run of ${j.key.split('\u0000')[1]} failed (${(e as Error).message}); using the offline diff`);
      }
    }, signal);
  }

  private diffApp(context: string, app: App, render: RenderResult, cache: ClusterCache): AppDrift | undefined {
    const key = appObjectKey(app);
    const liveApp = key ? cache.liveApps.get(key) : undefined;
    const appFailure = cache.failures.get(`app:${app.id}`);
    // A declared Argo/Flux app that this cluster does not run belongs to another cluster (unless it was unreadable).
    if (key && !liveApp && app.kind !== 'folder' && !appFailure) return undefined;
    const live = cache.live.get(app.id) ?? new Map<string, KubeObject>();
    const extra = cache.extra.get(app.id) ?? new Map<string, KubeObject>();
    // A folder app is shown only where some of its objects exist, or where they could not be read (e.g. forbidden):
    // "not deployed here" would hide that nothing was checked.
    const unreadable = () => !!appFailure || render.objects.some((r) => cache.failures.has(refKey(refOf(r.object, app.destinationNamespace ?? ''))));
    if (app.kind === 'folder' && live.size === 0 && !unreadable()) return undefined;
    const diffOpts: DiffOptions = { manager: applierOf(app), humanManagers: this.opts.humanManagers, ignoreDifferences: ignoreRulesOf(app, liveApp), defaultNamespace: app.destinationNamespace, app: app.name };
    const resources: ResourceDiff[] = [];
    for (const r of render.objects) {
      const key = refKey(refOf(r.object, app.destinationNamespace ?? ''));
      if (appFailure && live.size === 0) {
        // Nothing could be read for this app (e.g. its destination cluster is unknown): not "missing live".
        resources.push({ ref: refOf(r.object, app.destinationNamespace ?? ''), app: app.name, status: 'Unknown', reason: appFailure.message, changes: [], source: r.source });
        continue;
      }
      const failure = cache.failures.get(key);
      if (failure && !live.has(key)) resources.push({ ref: refOf(r.object, app.destinationNamespace ?? ''), app: app.name, status: 'Unknown', reason: failure.message, changes: [], source: r.source });
      else {
        const l = live.get(key);
        const p = l ? cache.predicted.get(`${app.id}\u0000${key}`) : undefined;
        resources.push(p && p.liveVersion === liveVersion(l!) && p.desired === r.object ? this.diffServerSide(r, p.object, l!, diffOpts, app) : this.diffOne(r, l, diffOpts, app));
      }
    }
    for (const obj of extra.values()) resources.push({ ...diffResource(undefined, obj, diffOpts), app: app.name });
    void context;
    return { app, liveApp, liveContext: cache.targets.get(app.id), state: appStateOf(liveApp, this.clock.now()), resources, errors: appFailure ? [...render.errors, appFailure] : render.errors, skipped: render.skipped };
  }

  /**
   * Diffs are memoized per rendered object (the same reference while its render is cached) and live object
   * version, so a warm run or a re-diff after one watch event only recomputes the pairs that changed.
   */
  private readonly diffMemo = new WeakMap<KubeObject, { liveKey: string; optsKey: string; result: ResourceDiff }>();
  /** Options objects are built once per app and run; their key is computed once per object, not per diff. */
  private readonly optionKeys = new WeakMap<DiffOptions, string>();

  private optionsKey(opts: DiffOptions): string {
    let k = this.optionKeys.get(opts);
    if (k === undefined) this.optionKeys.set(opts, (k = JSON.stringify(opts)));
    return k;
  }

  private diffOne(r: RenderedObject, live: KubeObject | undefined, opts: DiffOptions, app: App): ResourceDiff {
    const liveKey = live ? `${live.metadata.uid ?? ''}/${live.metadata.resourceVersion ?? JSON.stringify(live)}` : '';
    const optsKey = this.optionsKey(opts);
    const memo = this.diffMemo.get(r.object);
    if (memo && memo.liveKey === liveKey && memo.optsKey === optsKey) return memo.result;
    const result = this.diffUncached(r, live, opts, app);
    this.diffMemo.set(r.object, { liveKey, optsKey, result });
    return result;
  }

  /** Compares the server's dry-run answer with live, under the same normalization as the offline diff. */
  // Live-only hand edits are judged against Git itself: the server's answer keeps them (an apply does not remove
  // fields it does not own), so they come from the offline comparison with the rendered object.
  private diffServerSide(r: RenderedObject, predicted: KubeObject, live: KubeObject, opts: DiffOptions, app: App): ResourceDiff {
    const d = diffResource(predicted, live, opts);
    const liveOnly = (this.diffOne(r, live, opts, app).changes as FieldChangeEx[]).filter((c) => c.category === 'live-only');
    const changes = [...d.changes.filter((c) => c.category !== 'live-only'), ...liveOnly];
    const status = liveOnly.length && d.status === 'Synced' ? 'Modified' : d.status;
    return { ...d, status, changes, desired: withoutLiveOnly(d.desired, changes), app: app.name, source: r.source, mode: 'server-side' };
  }

  private diffUncached(r: RenderedObject, live: KubeObject | undefined, opts: DiffOptions, app: App): ResourceDiff {
    try {
      const d = diffResource(withTrackingMetadata(r.object, live, app), live, opts);
      return { ...d, desired: withoutLiveOnly(d.desired, d.changes), app: app.name, source: r.source };
    } catch (e) {
      return { ref: refOf(r.object, app.destinationNamespace ?? ''), app: app.name, status: 'Unknown', reason: (e as Error).message, changes: [], source: r.source };
    }
  }

  /**
   * Where a rendered object comes from, in the shape capture needs: a plain file, a kustomize resource with the
   * kustomization chain above it, a chart, or a generator (no file to write).
   */
  async captureOrigin(app: App, ref: ObjectRef, signal?: AbortSignal): Promise<CaptureOrigin> {
    if (app.sourceType === 'helm') return { kind: 'helm' };
    const render = await this.render(app, undefined, signal);
    const key = refKey(ref);
    const obj = render.objects.find((o) => refKey(refOf(o.object, app.destinationNamespace ?? '')) === key);
    if (!obj?.source) return { kind: 'generated', generator: app.sourceType === 'kustomize' ? 'kustomize (generator or remote base)' : undefined };
    if (obj.kustomizeChain && obj.kustomizeChain.length > 1) {
      return { kind: 'kustomize', resourceFile: obj.source.file, documentIndex: obj.source.documentIndex, chain: obj.kustomizeChain.slice(0, -1) };
    }
    return { kind: 'plain', file: obj.source.file, documentIndex: obj.source.documentIndex };
  }

  /** The app's rendered objects (capture needs them to know whether an image is shared). */
  async renderedObjects(app: App, signal?: AbortSignal): Promise<KubeObject[]> {
    return (await this.render(app, undefined, signal)).objects.map((o) => o.object);
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

  /** Event buffers of the full fetches in flight. */
  private readonly eventBuffers = new Set<{ context: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }[]>();

  /**
   * The events buffered during a fetch that its LIST does not reflect yet. resourceVersions are opaque: they are
   * only compared for equality, never ordered. The watch stream's order decides: for each object, the events after
   * the last one whose version the LIST returned are newer; when the LIST returned none of the buffered versions,
   * all of them are replayed in stream order (should the LIST have been newer, the stream delivers that version
   * later and it wins again).
   */
  private notYetListed(hub: string, cache: ClusterCache, buffered: { context: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }[]) {
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
      for (const app of cache.apps) {
        if ((cache.targets.get(app.id) ?? hub) !== context) continue;
        for (const m of [cache.live.get(app.id), cache.extra.get(app.id)]) {
          for (const [key, o] of m ?? []) {
            // A namespace's state says nothing about the other namespaces.
            if (o.kind === type.kind && refOf(o).group === type.group && (!type.namespace || o.metadata.namespace === type.namespace) && !present.has(key)) {
              m!.delete(key);
              changed = true;
            }
          }
        }
      }
    }
    for (const o of items) changed = this.applyLiveEvent(context, 'MODIFIED', o) || changed;
    return changed;
  }

  /**
   * Applies one watch event to the held live state. Returns true when something the snapshot shows changed
   * (the caller then re-runs compute with reuseLive, which only re-diffs).
   */
  applyLiveEvent(context: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): boolean {
    for (const b of this.eventBuffers) b.push({ context, type, obj });
    const key = refKey(refOf(obj));
    let changed = false;
    for (const [hub, cache] of this.clusters) {
      if (hub === context && APP_TYPES.some((t) => t.kind === obj.kind && refOf(obj).group === t.group)) {
        if (type === 'DELETED') cache.liveApps.delete(key);
        else cache.liveApps.set(key, obj);
        changed = true;
        // An Application can also be a resource of a parent app (app of apps): fall through.
      }
      for (const app of cache.apps) {
        // Each app reads its objects from its destination cluster (its own cluster unless Argo deploys elsewhere).
        if ((cache.targets.get(app.id) ?? hub) !== context) continue;
        const live = cache.live.get(app.id);
        const extra = cache.extra.get(app.id);
        if (!live || !extra) continue;
        if (cache.desired.get(app.id)?.has(key)) {
          if (type === 'DELETED') changed = live.delete(key) || changed;
          else {
            live.set(key, obj);
            changed = true;
          }
        } else if (extra.has(key) || (type !== 'DELETED' && isTrackedBy(app, obj, isClusterScoped(obj.kind)))) {
          if (type === 'DELETED') extra.delete(key);
          else extra.set(key, obj);
          changed = true;
        }
      }
    }
    return changed;
  }

}

function liveVersion(o: KubeObject): string {
  return `${o.metadata.uid ?? ''}/${o.metadata.resourceVersion ?? ''}`;
}

/** An apply body may not carry managedFields or server bookkeeping. */
function stripServerFields(o: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, selfLink: _s, ...metadata } = o.metadata as Record<string, unknown>;
  const { status: _st, ...rest } = o as KubeObject & { status?: unknown };
  return { ...rest, metadata: metadata as KubeObject['metadata'] };
}

export function toGitOpsError(e: unknown): GitOpsError {
  if (isGitOpsError(e)) return e;
  return new GitOpsErrorClass('internal', e instanceof Error ? e.message : String(e), { cause: e });
}
