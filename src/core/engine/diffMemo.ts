// Pipeline stage 4, diff: each app's rendered objects against the live store, memoized per rendered object and
// live version (a warm run or a re-diff after one watch event only recomputes the pairs that changed), and the
// server-side dry-run answers, asked once per (desired, live version) pair.
import type { App, KubeObject, RenderedObject, ResourceDiff } from '../model';
import { desiredRef } from './desiredRef';
import { isGitOpsError, refKey, refOf } from '../model';
import type { Clock, Logger } from '../ports';
import type { RenderResult } from '../render/types';
import type { KubeClient } from '../kube/types';
import { mapWithConcurrency } from '../kube/concurrency';
import { diffResource } from '../diff/diffResource';
import type { DiffOptions } from '../diff/options';
import { appIgnoreRules, type AppIgnoreRules } from '../diff/ignoreSources';
import type { SchemaSource } from '../schema/schemaTypes';
import { GitOpsError } from '../model';
import type { FieldChangeEx } from '../diff/changes';
import { appStateOf } from './appState';
import { appObjectKey } from './appDiscovery';
import type { ClusterCache } from './liveStore';
import { withTrackingMetadata } from './trackingMetadata';
import { withoutLiveOnly } from './withoutLiveOnly';
import { wantsServerSideDiff } from './serverSideDiffOption';

const SSD_WANTED = 'Argo CD diffs it server-side (compare-options ServerSideDiff=true)';
import type { AppDrift } from './driftTypes';

export interface DiffMemoOptions {
  humanManagers?: string[];
  /** `server-side`: every dry-run answer held is used; else only for resources Argo CD diffs server-side. */
  diffMode?: 'offline' | 'server-side';
  log: Logger;
  clock: Clock;
}

/** Ignore rules of the live (else declared) Application / Kustomization (diff/ignoreSources). */
function ignoreRulesOf(app: App, liveApp?: KubeObject, argoCm?: KubeObject): AppIgnoreRules {
  return appIgnoreRules(liveApp ?? app.definition, argoCm);
}

export function applierOf(app: App): string | undefined {
  if (app.kind === 'argo-application') return 'argocd-controller';
  if (app.kind === 'flux-kustomization') return 'kustomize-controller';
  if (app.kind === 'flux-helmrelease') return 'helm-controller';
  return undefined;
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

export class DiffMemo {
  /**
   * Diffs are memoized per rendered object (the same reference while its render is cached) and live object
   * version, so a warm run or a re-diff after one watch event only recomputes the pairs that changed.
   */
  private readonly memo = new WeakMap<KubeObject, { liveKey: string; optsKey: string; result: ResourceDiff }>();
  /** Options objects are built once per app and run; their key is computed once per object, not per diff. */
  private readonly optionKeys = new WeakMap<DiffOptions, string>();

  /** Why the last server-side dry run of an object failed, per cluster cache and `app id, refKey`. */
  private readonly dryRunFailures = new WeakMap<ClusterCache, Map<string, string>>();

  constructor(private readonly opts: DiffMemoOptions) {}

  private failuresOf(cache: ClusterCache): Map<string, string> {
    let m = this.dryRunFailures.get(cache);
    if (!m) this.dryRunFailures.set(cache, (m = new Map()));
    return m;
  }

  /** Asks the API server what applying each desired object would give (only for versions not asked before). */
  async dryRunAll(client: KubeClient, apps: App[], rendered: RenderResult[], cache: ClusterCache, signal?: AbortSignal, only?: (app: App, desired: KubeObject, live: KubeObject) => boolean): Promise<void> {
    const failed = this.failuresOf(cache);
    const jobs: { app: App; key: string; rendered: KubeObject; desired: KubeObject; live: KubeObject }[] = [];
    apps.forEach((app, i) => {
      const live = cache.live.get(app.id);
      for (const r of rendered[i].objects) {
        const key = refKey(desiredRef(r.object, app));
        const l = live?.get(key);
        const memoKey = `${app.id}\u0000${key}`;
        const memo = cache.predicted.get(memoKey);
        // Asked again when live or Git changed (a rendered object is the same reference until its render is redone).
        if (l && only && !only(app, r.object, l)) continue;
        if (l && (memo?.liveVersion !== liveVersion(l) || memo.desired !== r.object)) jobs.push({ app, key: memoKey, rendered: r.object, desired: withTrackingMetadata(r.object, l, app), live: l });
      }
    });
    await mapWithConcurrency(jobs, 8, async (j) => {
      try {
        const body = stripServerFields(j.desired);
        const object = await client.patch(refOf(j.live), body, { type: 'apply', fieldManager: applierOf(j.app) ?? 'gitops-drift-preview', force: true, dryRun: true, signal });
        cache.predicted.set(j.key, { liveVersion: liveVersion(j.live), desired: j.rendered, object });
        failed.delete(j.key);
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        cache.predicted.delete(j.key); // offline prediction for this one
        failed.set(j.key, (e as Error).message);
        this.opts.log.info(`server-side dry run of ${j.key.split('\u0000')[1]} failed (${(e as Error).message}); using the offline diff`);
      }
    }, signal);
  }

  /** The app's drift in one cluster, or undefined when the app does not run there. */
  diffApp(app: App, render: RenderResult, cache: ClusterCache, schemas?: SchemaSource[], argoCm?: KubeObject, argoCmError?: GitOpsError, serverSideDiffDefault = false): AppDrift | undefined {
    const key = appObjectKey(app);
    const liveApp = key ? cache.liveApps.get(key) : undefined;
    const appFailure = cache.failures.get(`app:${app.id}`);
    // A declared Argo/Flux app that this cluster does not run belongs to another cluster, unless its own object was
    // unreadable here (a failed LIST of its resources says nothing about where it runs).
    if (key && !liveApp && app.kind !== 'folder' && !cache.appFailures.has(app.id)) return undefined;
    const live = cache.live.get(app.id) ?? new Map<string, KubeObject>();
    const extra = cache.extra.get(app.id) ?? new Map<string, KubeObject>();
    // A folder app is shown only where some of its objects exist, or where they could not be read (e.g. forbidden):
    // "not deployed here" would hide that nothing was checked.
    const unreadable = () => !!appFailure || render.objects.some((r) => cache.failures.has(refKey(desiredRef(r.object, app))));
    if (app.kind === 'folder' && live.size === 0 && !unreadable()) return undefined;
    const ignore = ignoreRulesOf(app, liveApp, argoCm);
    const diffOpts: DiffOptions = { manager: applierOf(app), humanManagers: this.opts.humanManagers, ignoreDifferences: ignore.rules.length ? ignore.rules : undefined, defaultNamespace: app.destinationNamespace, app: app.name, ...(schemas ? { schemas } : {}), ...(ignore.ignoreAggregatedRoles ? { ignoreAggregatedRoles: true } : {}), ...(ignore.ignoreResourceStatusField !== undefined ? { ignoreResourceStatusField: ignore.ignoreResourceStatusField } : {}) };
    const resources: ResourceDiff[] = [];
    for (const r of render.objects) {
      const key = refKey(desiredRef(r.object, app));
      if (appFailure && live.size === 0) {
        // Nothing could be read for this app (e.g. its destination cluster is unknown): not "missing live".
        resources.push({ ref: desiredRef(r.object, app), app: app.name, status: 'Unknown', reason: appFailure.message, changes: [], source: r.source });
        continue;
      }
      const failure = cache.failures.get(key);
      if (failure && !live.has(key)) resources.push({ ref: desiredRef(r.object, app), app: app.name, status: 'Unknown', reason: failure.message, changes: [], source: r.source });
      else {
        const l = live.get(key);
        const p = l ? cache.predicted.get(`${app.id}\u0000${key}`) : undefined;
        const ssd = !!l && wantsServerSideDiff(app, liveApp ?? app.definition, r.object, l, serverSideDiffDefault);
        if (p && p.liveVersion === liveVersion(l!) && p.desired === r.object && (ssd || this.opts.diffMode === 'server-side')) resources.push(this.diffServerSide(r, p.object, l!, diffOpts, app));
        else if (ssd) {
          // Argo CD would diff it server-side: the offline verdict is shown, saying why it is not the server's.
          const why = this.failuresOf(cache).get(`${app.id}\u0000${key}`) ?? 'not asked';
          resources.push({ ...this.diffOne(r, l, diffOpts, app), reason: `${SSD_WANTED}, but the server-side dry run failed (${why}): offline verdict` });
        } else resources.push(this.diffOne(r, l, diffOpts, app));
      }
    }
    for (const obj of extra.values()) resources.push({ ...diffResource(undefined, obj, diffOpts), app: app.name });
    return { app, liveApp, liveContext: cache.targets.get(app.id), state: appStateOf(liveApp, this.opts.clock.now()), resources, errors: [...render.errors, ...(appFailure ? [appFailure] : []), ...ignore.errors.map((m) => new GitOpsError('invalid', m)), ...(argoCmError && app.kind === 'argo-application' ? [argoCmError] : [])], skipped: render.skipped, ...(render.notes?.length ? { notes: render.notes } : {}) };
  }

  private optionsKey(opts: DiffOptions): string {
    let k = this.optionKeys.get(opts);
    if (k === undefined) this.optionKeys.set(opts, (k = JSON.stringify(opts)));
    return k;
  }

  private diffOne(r: RenderedObject, live: KubeObject | undefined, opts: DiffOptions, app: App): ResourceDiff {
    const liveKey = live ? `${live.metadata.uid ?? ''}/${live.metadata.resourceVersion ?? JSON.stringify(live)}` : '';
    const optsKey = this.optionsKey(opts);
    const memo = this.memo.get(r.object);
    if (memo && memo.liveKey === liveKey && memo.optsKey === optsKey) return memo.result;
    const result = this.diffUncached(r, live, opts, app);
    this.memo.set(r.object, { liveKey, optsKey, result });
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
      return { ref: desiredRef(r.object, app), app: app.name, status: 'Unknown', reason: (e as Error).message, changes: [], source: r.source };
    }
  }
}
