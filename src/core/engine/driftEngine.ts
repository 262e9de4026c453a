// The drift pipeline's orchestrator: discover apps → render desired state → fetch live state → diff, per cluster
// context. Each stage keeps its own state between runs (appDiscovery.ts, renderStore.ts, liveStore.ts,
// diffMemo.ts) so that the editor can re-diff one object or one app without starting over.
import { captureOverrides } from '../capture/controllerOverrides';
import { argoImagesOverrideFile } from '../render/argoSourceOverrides';
import { helmReleaseValueLocator } from '../capture/helmReleaseCapture';
import { argoHelmValueLocator } from '../capture/argoHelmCapture';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crdSchemaSourceFor } from '../schema/crdSchema';
import { ClusterSchemas } from '../schema/clusterSchemas';
import { findArgoCm } from '../diff/ignoreSources';
import type { App, KubeObject, ObjectRef } from '../model';
import { desiredRef } from './desiredRef';
import type { CaptureOrigin } from '../capture/captureTypes';
import { GitOpsError, isGitOpsError, refKey } from '../model';
import { silentLogger, systemClock, throwIfAborted, type Clock, type Logger, type ProcessRunner } from '../ports';
import type { RepoInfo } from '../discovery/repoInfo';
import type { RenderResult } from '../render/types';
import type { KubeClient } from '../kube/types';
import { AppDiscovery, type WatchScope } from './appDiscovery';
import { isInside, RenderStore } from './renderStore';
import { LiveStore, toGitOpsError, type LiveEventType } from './liveStore';
import { DiffMemo } from './diffMemo';
import { readLiveArgoCm, type LiveArgoCm } from './liveArgoCm';
import { rendersFromStoredRelease, storedReleaseRender } from './storedRelease';
import { serverSideDiffDefault, wantsServerSideDiff } from './serverSideDiffOption';
import { appObjectKey } from './appDiscovery';
import type { ClusterCache } from './liveStore';
import { clusterObjectLookup } from './clusterObjectLookup';
import { clusterCapabilities, destinationContext, withVersionOnce, type DestinationCapabilities } from './clusterCapabilities';
import type { HelmCapabilities } from '../render/types';
import type { AppDrift, ClusterDrift, DriftSnapshot, DriftTimings } from './driftTypes';
import { appStateOf } from './appState';
import { ProgressThrottle } from './progressThrottle';

export { APP_TYPES, type WatchScope } from './appDiscovery';
export { toGitOpsError } from './liveStore';

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
  /** Folder of the persistent render cache (kustomize/helm renders by content hash of their inputs); none: memory only. */
  renderCacheDir?: string;
  /** Folder of the schemas read from clusters' /openapi/v3 (one file per server version); none: memory only. */
  schemaCacheDir?: string;
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
  /**
   * Called with the snapshot so far as each cluster finishes, and in between at most every `progressIntervalMs`
   * as apps finish: clusters still computing are `loading` and hold the apps finished so far (an app rendered but
   * not yet diffed is `loading` too), so a host shows apps as they finish while slower ones render.
   */
  onProgress?: (partial: DriftSnapshot) => void;
  /** Least time between two progress reports within the clusters. Default 200 ms. */
  progressIntervalMs?: number;
  /**
   * Apps are reported one by one only in clusters of more than this many apps (default 20); a smaller cluster is
   * shown when it is complete (its apps finish within moments of each other).
   */
  progressMinApps?: number;
}

/** Kinds whose objects define apps (an app of apps, a Flux Kustomization…): a file holding one is re-discovered. */
const APP_KINDS = /^kind:\s*["']?(Application|ApplicationSet|Kustomization|HelmRelease|GitRepository|OCIRepository|Bucket|HelmRepository)\b/m;
const LAYOUT_FILES = /^(kustomization\.ya?ml|Kustomization|Chart\.ya?ml|values.*\.ya?ml)$/i;

/**
 * Whether a changed file can change which apps the workspace has (then discovery runs again): a file outside
 * every known app, an app's definition, a kustomization or chart file, a file declaring an app kind, or one that
 * is gone. An edit of an app's manifest (the common save) keeps the apps known.
 */
function mayChangeApps(file: string, known: readonly App[], roots: readonly string[]): boolean {
  if (!known.length || LAYOUT_FILES.test(path.basename(file))) return true;
  if (known.some((a) => a.definedIn?.file === file)) return true;
  // An app rooted at a workspace folder contains every file: a new folder below it may be a new app.
  if (!known.some((a) => a.path && !roots.includes(a.path) && isInside(file, a.path))) return true;
  try {
    return APP_KINDS.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}

/** Longest stretch of diffing between two yields to the event loop. */
const DIFF_SLICE_MS = 20;

/** The live Application / Kustomization of an app, else its definition. */
function liveAppOf(cache: ClusterCache, app: App): KubeObject | undefined {
  const key = appObjectKey(app);
  return (key ? cache.liveApps.get(key) : undefined) ?? app.definition;
}

export class DriftEngine {
  private readonly discovery: AppDiscovery;
  private readonly renders: RenderStore;
  private readonly live: LiveStore;
  private readonly diffs: DiffMemo;
  private readonly schemas: ClusterSchemas;
  /** Each cluster's argocd-cm as last read (once per full refresh; a re-diff reuses it). */
  private readonly argoCms = new Map<string, Promise<LiveArgoCm | undefined>>();
  private readonly log: Logger;
  private readonly clock: Clock;
  /** Stored Helm releases read per context and app (HelmReleases with a remote chart), kept for re-diffs. */
  private readonly storedReleases = new Map<string, Promise<RenderResult>>();

  constructor(private readonly opts: DriftEngineOptions) {
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.discovery = new AppDiscovery(opts.roots, opts.runner);
    this.renders = new RenderStore({ runner: opts.runner, trusted: opts.trusted, kustomizePath: opts.kustomizePath, helmPath: opts.helmPath, cacheDir: opts.renderCacheDir });
    this.live = new LiveStore({ clientFor: opts.clientFor, contextForDestination: opts.contextForDestination });
    this.diffs = new DiffMemo({ humanManagers: opts.humanManagers, diffMode: opts.diffMode, log: this.log, clock: this.clock });
    this.schemas = new ClusterSchemas({ cacheDir: opts.schemaCacheDir, log: this.log });
  }

  /** Drops cached renders of apps containing these files; app definitions changing drops discovery too. */
  invalidateFiles(files: string[]): void {
    if (!files.length) return;
    if (files.some((f) => mayChangeApps(f, this.discovery.resolved, this.opts.roots))) this.discovery.invalidate();
    // Workspace apps and apps found in the clusters (they render from this workspace too).
    this.renders.invalidate(files, [...this.discovery.resolved, ...[...this.live.caches()].flatMap((c) => c.apps)]);
  }

  async compute(contexts: string[], opts: ComputeOptions = {}): Promise<DriftSnapshot> {
    const t0 = Date.now();
    const timings: DriftTimings = { discoverMs: 0, renderMs: 0, fetchMs: 0, diffMs: 0, totalMs: 0 };
    const { apps, repos } = await this.discovery.discover(opts.signal);
    timings.discoverMs = Date.now() - t0;
    const done: (ClusterDrift | undefined)[] = contexts.map(() => undefined);
    /** Per cluster still computing: its apps finished so far (built when reported). */
    const partial: ((() => ClusterDrift) | undefined)[] = contexts.map(() => undefined);
    const onProgress = opts.onProgress;
    const soFar = (): DriftSnapshot => ({
      clusters: done.map((d, k) => d ?? partial[k]?.() ?? { context: contexts[k], apps: [], loading: true }),
      computedAt: this.clock.now().toISOString(),
      timings: { ...timings, totalMs: Date.now() - t0 },
    });
    const throttle = onProgress && new ProgressThrottle(() => !opts.signal?.aborted && onProgress(soFar()), opts.progressIntervalMs ?? 200);
    let clusters: ClusterDrift[];
    try {
      clusters = await Promise.all(
        contexts.map(async (c, i) => {
          const progress = throttle && ((p: () => ClusterDrift) => ((partial[i] = p), throttle.changed()));
          const cluster = await this.computeCluster(c, apps, repos, opts, timings, progress);
          done[i] = cluster;
          if (onProgress && done.some((d) => !d) && !opts.signal?.aborted) {
            throttle!.deliveredNow();
            onProgress(soFar());
          }
          return cluster;
        }),
      );
    } finally {
      throttle?.close();
    }
    timings.totalMs = Date.now() - t0;
    return { clusters, computedAt: this.clock.now().toISOString(), timings };
  }

  /** `progress`: the cluster with the apps finished so far, to report (throttled by the caller). */
  private async computeCluster(context: string, wsApps: App[], repos: RepoInfo[], opts: ComputeOptions, timings: DriftTimings, progress?: (soFar: () => ClusterDrift) => void): Promise<ClusterDrift> {
    const signal = opts.signal;
    let client: KubeClient;
    try {
      client = this.opts.clientFor(context);
    } catch (e) {
      return { context, apps: [], error: toGitOpsError(e) };
    }
    try {
      const cache = await this.live.open(context, client, wsApps, repos, !!opts.reuseLive, signal);
      const apps = cache.apps;

      const tRender = Date.now();
      // API discovery (part of fetching) runs while kustomize renders; a failure surfaces from the fetch below.
      if (!opts.reuseLive) client.discover(signal).catch(() => {});
      // /version is read once per refresh, whoever asks first (the schemas' OpenAPI index, helm's capabilities).
      const versioned = withVersionOnce(client);
      // The cluster's schemas (its /openapi/v3 once per server version, its CRDs each refresh) are read meanwhile too.
      const clusterSchemas = this.schemas.read(versioned, !opts.reuseLive, signal);
      // And Argo CD's argocd-cm, where the cluster's Applications live.
      if (!opts.reuseLive || !this.argoCms.has(context)) this.argoCms.set(context, readLiveArgoCm(client, cache.liveApps.values(), signal));
      const liveArgoCm = this.argoCms.get(context)!;
      liveArgoCm.catch(() => this.argoCms.delete(context));
      // ConfigMaps / Secrets a render reads from this cluster (not in the workspace) are read again on a full refresh.
      if (!opts.reuseLive) this.renders.dropClusterReads(context);
      // Read once per refresh and cluster, only if a render asks: the app's destination cluster's when the kubeconfig
      // has it, else the listing cluster's (the app says so); unreadable capabilities leave helm's defaults (logged).
      const caps = new Map<string, Promise<HelmCapabilities | undefined>>();
      const capabilitiesOf = (ctx: string, c: KubeClient): Promise<HelmCapabilities | undefined> => {
        let p = caps.get(ctx);
        if (!p) {
          p = clusterCapabilities(c).catch((e: unknown) => {
            this.log.warn(`${ctx}: the cluster's version and API versions could not be read for helm (its defaults are used): ${(e as Error).message}`);
            return undefined;
          });
          caps.set(ctx, p);
        }
        return p;
      };
      const capabilities = () => capabilitiesOf(context, versioned);
      const capabilitiesFor = async (app: App): Promise<DestinationCapabilities> => {
        const dest = destinationContext(app, context, this.opts.contextForDestination);
        const listed = `helm's kubeVersion / apiVersions are those of ${context}, where the Application is listed`;
        if ('unknown' in dest) return { capabilities: await capabilities(), note: `${listed}: no kubeconfig context points at its destination ${dest.unknown}` };
        if (dest.context === context) return { capabilities: await capabilities() };
        let destClient: KubeClient;
        try {
          destClient = this.opts.clientFor(dest.context);
        } catch (e) {
          return { capabilities: await capabilities(), note: `${listed}: its destination's context ${dest.context} cannot be used (${(e as Error).message})` };
        }
        const own = await capabilitiesOf(dest.context, destClient);
        return own ? { capabilities: own } : { capabilities: await capabilities(), note: `${listed}: its destination ${dest.context}'s could not be read` };
      };
      const clusterReads = { context, lookup: clusterObjectLookup(client), capabilities, capabilitiesFor };
      // Progress: each app shown as it finishes: once rendered, an app whose own object is in this cluster is shown
      // loading (its state is known); once diffed, with its drift. Apps are shown in their final order.
      const slots: (AppDrift | undefined)[] = apps.map(() => undefined);
      const report = progress && apps.length > (opts.progressMinApps ?? 20) && (() => progress(() => ({ context, server: client.server, apps: slots.filter((d): d is AppDrift => !!d), loading: true })));
      const rendering = (a: App, i: number) => (r: RenderResult) => {
        if (report) {
          const key = appObjectKey(a);
          const liveApp = key ? cache.liveApps.get(key) : undefined;
          if (liveApp) {
            slots[i] = { app: a, liveApp, liveContext: cache.targets.get(a.id), state: appStateOf(liveApp, this.clock.now()), resources: [], errors: [], skipped: [], loading: true };
            report();
          }
        }
        return r;
      };
      const rendered = await Promise.all(apps.map((a, i) => (rendersFromStoredRelease(a) ? this.storedRelease(context, client, a, !!opts.reuseLive, signal) : this.renders.render(a, opts.overlays, signal, clusterReads)).catch((e): RenderResult => ({ objects: [], skipped: [], errors: [toGitOpsError(e)] })).then(rendering(a, i))));
      timings.renderMs = Math.max(timings.renderMs, Date.now() - tRender);
      throwIfAborted(signal);
      // Objects added to or removed from Git need their live state (or prune status) read: fetch again then.
      const desiredChanged = this.live.setDesired(cache, apps, rendered);
      const fetching = !opts.reuseLive || cache.live.size === 0 || desiredChanged;
      const tFetch = Date.now();
      await this.live.load(context, client, cache, rendered, fetching, signal);
      if (fetching) timings.fetchMs = Math.max(timings.fetchMs, Date.now() - tFetch);

      const desiredObjects = rendered.flatMap((r) => r.objects.map((o) => o.object));
      const liveObjects = [...cache.live.values()].flatMap((m) => [...m.values()]);
      // Argo CD's system-wide ignore rules: argocd-cm as held live (an app renders it: watched), else as read from the
      // cluster this refresh, else as the workspace declares it. Unreadable: the Argo CD apps say so.
      const read = await liveArgoCm;
      const held = findArgoCm(liveObjects) ?? read?.object;
      const argoCm = held ?? findArgoCm(desiredObjects);
      const fallback = argoCm ? "the workspace's argocd-cm manifest is used instead" : 'no system-wide ignore rules or compare options are applied';
      const argoCmError = read?.error ? new GitOpsError(read.error.reason, held ? read.error.message : `${read.error.message}; ${fallback}`, read.error.details) : undefined;
      // Server-side dry runs: every object in server-side mode, else those Argo CD would diff server-side.
      const ssdDefault = serverSideDiffDefault(read?.params, argoCm);
      const only = this.opts.diffMode === 'server-side' ? undefined : (app: App, desired: KubeObject, live: KubeObject) => wantsServerSideDiff(app, liveAppOf(cache, app), desired, live, ssdDefault);
      const byTarget = (id: string) => cache.targets.get(id) ?? context;
      for (const target of new Set(apps.map((a) => byTarget(a.id)))) {
        const idx = apps.map((a, i) => (byTarget(a.id) === target ? i : -1)).filter((i) => i >= 0);
        if (only && !idx.some((i) => apps[i].kind === 'argo-application')) continue;
        await this.diffs.dryRunAll(target === context ? client : this.opts.clientFor(target), idx.map((i) => apps[i]), idx.map((i) => rendered[i]), cache, signal, only);
      }

      const tDiff = Date.now();
      const drifts: AppDrift[] = [];
      const notDeployed: App[] = [...cache.elsewhere];
      // CRD schemas (list/map types, formats of custom resources): the workspace's CRD manifests and the live CRDs held.
      const schemas = ClusterSchemas.ordered(await clusterSchemas, crdSchemaSourceFor([...desiredObjects, ...liveObjects]));
      // Diffing thousands of objects is CPU work on the editor's thread: it yields between apps every few
      // milliseconds so that the editor (and the other clusters' requests) are never blocked for long.
      let slice = performance.now();
      /** Time other work ran while this loop yielded: not this cluster's diff time. */
      let yielded = 0;
      for (let i = 0; i < apps.length; i++) {
        if (performance.now() - slice > DIFF_SLICE_MS) {
          const before = performance.now();
          await new Promise<void>((resolve) => setImmediate(resolve));
          throwIfAborted(signal);
          slice = performance.now();
          yielded += slice - before;
        }
        const drift = this.diffs.diffApp(apps[i], rendered[i], cache, schemas, argoCm, argoCmError, ssdDefault);
        if (drift) drifts.push(drift);
        else notDeployed.push(apps[i]);
        if (report && (drift || slots[i])) {
          slots[i] = drift;
          report();
        }
      }
      timings.diffMs += Math.max(0, Math.round(Date.now() - tDiff - yielded));
      return { context, server: client.server, apps: drifts, notDeployed };
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
      this.log.warn(`${context}: ${(e as Error).message}`);
      return { context, server: client.server, apps: [], error: toGitOpsError(e) };
    }
  }

  /** The release Helm stored for a HelmRelease with a remote chart: read again on each full refresh. */
  private storedRelease(context: string, client: KubeClient, app: App, reuse: boolean, signal?: AbortSignal): Promise<RenderResult> {
    const key = `${context}\u0000${app.id}`;
    let p = reuse ? this.storedReleases.get(key) : undefined;
    if (!p) {
      p = storedReleaseRender(app, client, signal);
      this.storedReleases.set(key, p);
      p.catch(() => this.storedReleases.delete(key));
    }
    return p;
  }

  /**
   * Where a rendered object comes from, in the shape capture needs: a plain file, a kustomize resource with the
   * kustomization chain above it, a chart, or a generator (no file to write).
   */
  async captureOrigin(app: App, ref: ObjectRef, signal?: AbortSignal): Promise<CaptureOrigin> {
    if (app.kind === 'flux-helmrelease' && app.helmRelease?.local && app.path) {
      const deps = { runner: this.opts.runner, helmPath: this.opts.helmPath, kustomizePath: this.opts.kustomizePath, trusted: this.opts.trusted };
      return { kind: 'helm', chart: app.path, valuesFiles: app.helmRelease.valuesFiles, locate: helmReleaseValueLocator(app, deps) };
    }
    // A multi-source Application's objects come from its sources: a chart's (no file) or a folder's.
    const multi = !!app.sources?.length;
    if (app.kind === 'argo-application' && app.sourceType === 'helm' && app.path && !multi) {
      const deps = { runner: this.opts.runner, helmPath: this.opts.helmPath, kustomizePath: this.opts.kustomizePath, trusted: this.opts.trusted };
      return { kind: 'helm', chart: app.path, locate: argoHelmValueLocator(app, deps) };
    }
    if (app.sourceType === 'helm' && !multi) return { kind: 'helm' };
    const render = await this.renders.render(app, undefined, signal);
    const key = refKey(ref);
    const obj = render.objects.find((o) => refKey(desiredRef(o.object, app)) === key);
    if (!obj?.source && multi && app.sources!.some((s) => s.sourceType === 'helm')) return { kind: 'helm' };
    if (!obj?.source) return { kind: 'generated', generator: app.sourceType === 'kustomize' ? 'kustomize (generator or remote base)' : undefined };
    const imagesFile = app.kind === 'argo-application' && !multi ? await argoImagesOverrideFile(app) : undefined;
    const overrides = captureOverrides(app, obj.source.file, imagesFile);
    if (obj.kustomizeChain && obj.kustomizeChain.length > 1) {
      return { kind: 'kustomize', resourceFile: obj.source.file, documentIndex: obj.source.documentIndex, chain: obj.kustomizeChain.slice(0, -1), overrides };
    }
    return { kind: 'plain', file: obj.source.file, documentIndex: obj.source.documentIndex, overrides };
  }

  /** The app's rendered objects (capture needs them to know whether an image is shared). */
  async renderedObjects(app: App, signal?: AbortSignal): Promise<KubeObject[]> {
    return (await this.renders.render(app, undefined, signal)).objects.map((o) => o.object);
  }

  /** How many renders the persistent cache answered and how many ran a tool (for the benchmark and logs). */
  get renderStats(): { cached: number; rendered: number } {
    return { ...this.renders.stats };
  }

  /** Contexts other than the selected ones that hold apps' objects (Argo CD destinations), to watch as well. */
  destinationContexts(): string[] {
    return this.live.destinationContexts();
  }

  /** What to watch for a context so that the held live state stays current (see LiveStore.watchTypes). */
  watchTypes(context: string): WatchScope[] {
    return this.live.watchTypes(context);
  }

  /** A watch's full state of one type (first list, relist after 410 Gone); true when the snapshot changes. */
  resyncLive(context: string, type: WatchScope, items: KubeObject[]): boolean {
    return this.live.resyncLive(context, type, items);
  }

  /** Applies one watch event to the held live state; true when the snapshot changes (re-diff with reuseLive). */
  applyLiveEvent(context: string, type: LiveEventType, obj: KubeObject): boolean {
    return this.live.applyLiveEvent(context, type, obj);
  }
}
