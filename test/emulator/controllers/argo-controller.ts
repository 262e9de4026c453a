// Simulated Argo CD application controller: compares Applications with Git, runs sync operations with
// server-side apply as `argocd-controller`, auto-syncs, self-heals, and writes status like the real one.
import path from 'node:path';
import type { KubeObject } from '../../../src/core/model';
import { TRACKING_ANNOTATION, instanceName, isTrackedBy, trackingId } from './argo-tracking';
import { type ControllerContext, RenderCache, errorMessage, localRepoFor } from './controller-context';
import { type HealthStatus, healthOf, worstHealth } from './health';
import { MERGE_PATCH } from './kube-rest';
import { hasKustomization } from './render-manifests';
import { comparable, createMergePatch, driftPaths, stableStringify } from './object-compare';
import { serverSideApply } from './server-side-apply';

export const ARGO_MANAGER = 'argocd-controller';
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
export const SKIP_RECONCILE_ANNOTATION = 'argocd.argoproj.io/skip-reconcile';
const APP_API = 'argoproj.io/v1alpha1';

/** Kinds always searched for tracked leftovers (prune candidates), besides those the app renders. */
const COMMON_KINDS: [string, string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
];

/** Apply order, a short version of gitops-engine's kind ordering. */
const KIND_ORDER = ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Secret', 'ConfigMap', 'Role', 'RoleBinding', 'Service', 'Deployment', 'StatefulSet'];

interface ResourceRef {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

interface ManagedResource {
  ref: ResourceRef;
  desired?: KubeObject;
  live?: KubeObject;
  status: 'Synced' | 'OutOfSync';
  health: HealthStatus;
  requiresPruning?: boolean;
}

interface Comparison {
  revisions: string[];
  sourceType?: 'Directory' | 'Kustomize';
  resources: ManagedResource[];
  sync: 'Synced' | 'OutOfSync' | 'Unknown';
  health: HealthStatus;
  error?: string;
}

type Operation = {
  sync?: {
    revision?: string;
    revisions?: string[];
    prune?: boolean;
    dryRun?: boolean;
    resources?: { group?: string; kind: string; name: string; namespace?: string }[];
    syncOptions?: string[];
  };
  initiatedBy?: { username?: string; automated?: boolean };
  [k: string]: unknown;
};

export function isTrue(v: string | undefined): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v ?? '');
}

export function autoSyncEnabled(app: KubeObject): boolean {
  const automated = (app.spec as any)?.syncPolicy?.automated;
  return !!automated && automated.enabled !== false;
}

function sourcesOf(app: KubeObject): any[] {
  const spec = app.spec as any;
  return spec?.sources?.length ? spec.sources : spec?.source ? [spec.source] : [];
}

/** An app written with `spec.sources` (even a single one) reports `revisions`, as Argo CD does. */
function isMultiSource(app: KubeObject): boolean {
  return ((app.spec as any)?.sources?.length ?? 0) > 0;
}

function refOf(o: KubeObject, destNs: string): ResourceRef {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return { group, version, kind: o.kind, namespace: o.metadata.namespace ?? destNs, name: o.metadata.name ?? '' };
}

const keyOf = (r: ResourceRef) => `${r.group}/${r.kind}/${r.namespace}/${r.name}`;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Secrets written with stringData are stored as base64 data; compare in the stored form. */
function normalizeDesired(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret' || !o.stringData) return o;
  const data = { ...((o.data as Record<string, string>) ?? {}) };
  for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) data[k] = Buffer.from(String(v)).toString('base64');
  const { stringData: _s, ...rest } = o;
  return { ...rest, data } as KubeObject;
}

export class ArgoApplicationController {
  private readonly renders = new RenderCache();
  /** When live drift was first seen per app (for the self-heal delay). */
  private readonly driftSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  async tick(signal: AbortSignal): Promise<void> {
    const apps = await this.ctx.rest.list(APP_API, 'Application', undefined, signal);
    for (const app of apps) {
      if (signal.aborted) return;
      try {
        await this.reconcileApp(app, signal);
      } catch (e) {
        if (!signal.aborted) this.ctx.log(`argo: ${app.metadata.namespace}/${app.metadata.name}: ${errorMessage(e)}`);
      }
    }
  }

  private async reconcileApp(app: KubeObject, signal: AbortSignal): Promise<void> {
    // skip-reconcile drops the app from the informer: no refresh, no auto-sync, no operation.
    if (isTrue(app.metadata.annotations?.[SKIP_RECONCILE_ANNOTATION])) return;
    const key = `${app.metadata.namespace}/${app.metadata.name}`;
    const refresh = app.metadata.annotations?.[REFRESH_ANNOTATION];
    if (refresh !== undefined) this.ctx.revisions.clear();
    if (refresh === 'hard') {
      this.renders.clear();
      this.ctx.trees.clear();
    }
    let ranOperation = false;
    const op = (app as any).operation as Operation | undefined;
    if (op && (app.status as any)?.operationState?.phase === 'Terminating') {
      // TerminateOperation: the operation ends as Failed without (further) work.
      const body = { operation: null, status: { operationState: { phase: 'Failed', message: 'Operation terminated', finishedAt: now() } } };
      await this.ctx.rest.call('PATCH', await this.ctx.rest.objectPath(app, signal), { body, contentType: MERGE_PATCH, signal });
      return;
    }
    if (op?.sync) {
      await this.runOperation(app, op, signal);
      ranOperation = true;
    }
    let cmp = await this.compare(app, signal);
    const status = (app.status ?? {}) as any;
    if (!ranOperation && !op && autoSyncEnabled(app) && cmp.sync === 'OutOfSync' && !cmp.error) {
      const automated = (app.spec as any).syncPolicy.automated;
      const lastRevision = status.operationState?.syncResult?.revision;
      const newRevision = lastRevision !== cmp.revisions[0];
      const since = this.driftSince.get(key) ?? Date.now();
      this.driftSince.set(key, since);
      const heal = automated.selfHeal === true && Date.now() - since >= this.ctx.timing.selfHealDelayMs;
      if (newRevision || heal) {
        this.driftSince.delete(key);
        const syncOptions = (app.spec as any).syncPolicy?.syncOptions;
        await this.runOperation(app, { sync: { revision: cmp.revisions[0], prune: automated.prune === true, syncOptions }, initiatedBy: { automated: true } }, signal);
        ranOperation = true;
        cmp = await this.compare(app, signal);
      }
    } else if (cmp.sync !== 'OutOfSync') this.driftSince.delete(key);
    await this.writeStatus(app, cmp, refresh !== undefined || ranOperation, signal);
  }

  /** Renders every source of the app at its target revision, with namespaces and tracking ids set. */
  private async desiredObjects(app: KubeObject, revisionOverride: string[] | undefined, signal: AbortSignal): Promise<{ objects: KubeObject[]; revisions: string[]; sourceType: 'Directory' | 'Kustomize' }> {
    const destNs: string = (app.spec as any)?.destination?.namespace ?? '';
    const instance = instanceName(app, this.ctx.argoNamespace);
    const objects: KubeObject[] = [];
    const revisions: string[] = [];
    let sourceType: 'Directory' | 'Kustomize' = 'Directory';
    const sources = sourcesOf(app);
    if (sources.length === 0) throw new Error('application has no source');
    for (const [i, src] of sources.entries()) {
      if (src.chart) throw new Error(`Helm chart sources are not simulated (source ${i})`);
      const repoDir = localRepoFor(this.ctx, src.repoURL);
      const { sha } = await this.ctx.revisions.resolve(repoDir, revisionOverride?.[i] || src.targetRevision, { signal });
      revisions.push(sha);
      if (src.path === undefined) continue; // a ref-only source
      if (hasKustomization(path.join(await this.ctx.trees.tree(repoDir, sha, signal), src.path))) sourceType = 'Kustomize';
      const rendered = await this.renders.render(this.ctx, repoDir, sha, src.path, src.directory?.recurse === true, signal);
      for (const raw of rendered) {
        const o = normalizeDesired(raw);
        const namespaced = await this.ctx.rest.isNamespaced(o.apiVersion, o.kind, signal);
        if (namespaced === false) delete o.metadata.namespace;
        else o.metadata.namespace = o.metadata.namespace || destNs || 'default';
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [TRACKING_ANNOTATION]: trackingId(instance, o, destNs) };
        objects.push(o);
      }
    }
    return { objects, revisions, sourceType };
  }

  private async compare(app: KubeObject, signal: AbortSignal, revisionOverride?: string[]): Promise<Comparison> {
    const destNs: string = (app.spec as any)?.destination?.namespace ?? '';
    let desired: { objects: KubeObject[]; revisions: string[]; sourceType: 'Directory' | 'Kustomize' };
    try {
      desired = await this.desiredObjects(app, revisionOverride, signal);
    } catch (e) {
      return { revisions: [], resources: [], sync: 'Unknown', health: 'Unknown', error: errorMessage(e) };
    }
    const resources: ManagedResource[] = [];
    const seen = new Set<string>();
    for (const d of desired.objects) {
      const ref = refOf(d, destNs);
      seen.add(keyOf(ref));
      const live = await this.ctx.rest.getOrUndefined(await this.ctx.rest.objectPath(d, signal).catch(() => '/__unknown_kind__'), signal).catch(() => undefined);
      const drift = live ? driftPaths(withoutIgnored(comparable(d), ref, (app.spec as any)?.ignoreDifferences), live, 'apply') : ['(missing)'];
      resources.push({ ref, desired: d, live, status: drift.length ? 'OutOfSync' : 'Synced', health: healthOf(live).status });
    }
    for (const extra of await this.trackedLeftovers(app, desired.objects, destNs, signal)) {
      const ref = refOf(extra, destNs);
      if (seen.has(keyOf(ref))) continue;
      seen.add(keyOf(ref));
      resources.push({ ref, live: extra, status: 'OutOfSync', health: healthOf(extra).status, requiresPruning: true });
    }
    const sync = resources.some((r) => r.status === 'OutOfSync') ? 'OutOfSync' : 'Synced';
    const health = worstHealth(resources.filter((r) => r.desired).map((r) => r.health));
    return { revisions: desired.revisions, resources, sync, health, sourceType: desired.sourceType };
  }

  /** Live objects whose tracking id names this app but that Git no longer renders. */
  private async trackedLeftovers(app: KubeObject, desired: KubeObject[], destNs: string, signal: AbortSignal): Promise<KubeObject[]> {
    const instance = instanceName(app, this.ctx.argoNamespace);
    const kinds = new Map<string, [string, string]>(COMMON_KINDS.map((k) => [k.join(' '), k]));
    for (const d of desired) kinds.set(`${d.apiVersion} ${d.kind}`, [d.apiVersion, d.kind]);
    for (const r of ((app.status as any)?.resources ?? []) as ResourceRef[]) {
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      if (r.version) kinds.set(`${apiVersion} ${r.kind}`, [apiVersion, r.kind]);
    }
    const wanted = new Set(desired.map((d) => keyOf(refOf(d, destNs))));
    const out: KubeObject[] = [];
    for (const [apiVersion, kind] of kinds.values()) {
      for (const o of await this.ctx.rest.list(apiVersion, kind, undefined, signal).catch(() => [] as KubeObject[])) {
        if (isTrackedBy(o, instance, destNs) && !wanted.has(keyOf(refOf(o, destNs)))) out.push(o);
      }
    }
    return out;
  }

  /** Runs a sync operation: Running → apply (and prune) → Succeeded/Failed, clearing `.operation`. */
  private async runOperation(app: KubeObject, op: Operation, signal: AbortSignal): Promise<void> {
    const rest = this.ctx.rest;
    const appPath = await rest.objectPath(app, signal);
    const sync = op.sync ?? {};
    const startedAt = now();
    const operation = { ...op, initiatedBy: op.initiatedBy ?? { username: 'admin' } };
    // operationState is replaced whole (a plain merge would keep fields of the previous operation).
    const running = { operation, phase: 'Running', message: 'syncing', startedAt };
    const previous = (app.status as any)?.operationState;
    await rest.call('PATCH', appPath, { body: { status: { operationState: createMergePatch(previous ?? null, running) ?? {} } }, contentType: MERGE_PATCH, signal });

    const sources = sourcesOf(app);
    const revisionOverride = sync.revisions ?? (sync.revision ? [sync.revision] : undefined);
    const cmp = await this.compare(app, signal, revisionOverride);
    const options = new Set(sync.syncOptions ?? []);
    const destNs: string = (app.spec as any)?.destination?.namespace ?? '';
    const selected = (r: ResourceRef) =>
      !sync.resources?.length ||
      sync.resources.some((s) => (s.group ?? '') === r.group && s.kind === r.kind && s.name === r.name && (!s.namespace || s.namespace === r.namespace));
    const results: any[] = [];
    let failed = false;
    if (cmp.error) failed = true;
    else {
      if (options.has('CreateNamespace=true') && destNs && !sync.dryRun) await this.ensureNamespace(destNs, signal);
      const toApply = cmp.resources
        .filter((r) => r.desired && selected(r.ref))
        .filter((r) => !(options.has('ApplyOutOfSyncOnly=true') && r.status === 'Synced'))
        .sort((a, b) => kindRank(a.ref.kind) - kindRank(b.ref.kind));
      for (const r of toApply) {
        const what = `${r.ref.kind.toLowerCase()}${r.ref.group ? `.${r.ref.group}` : ''}/${r.ref.name}`;
        try {
          await serverSideApply(rest, r.desired!, { fieldManager: ARGO_MANAGER, dryRun: sync.dryRun, signal });
          results.push({ ...r.ref, status: 'Synced', message: `${what} serverside-applied${sync.dryRun ? ' (dry run)' : ''}`, syncPhase: 'Sync', hookPhase: 'Running' });
        } catch (e) {
          failed = true;
          results.push({ ...r.ref, status: 'SyncFailed', message: errorMessage(e), syncPhase: 'Sync', hookPhase: 'Failed' });
        }
      }
      for (const r of cmp.resources.filter((x) => x.requiresPruning && selected(x.ref))) {
        if (!sync.prune) {
          results.push({ ...r.ref, status: 'PruneSkipped', message: 'ignored (requires pruning)', syncPhase: 'Sync' });
          continue;
        }
        try {
          if (!sync.dryRun) await rest.call('DELETE', await rest.objectPath(r.live!, signal), { signal });
          results.push({ ...r.ref, status: 'Pruned', message: `pruned${sync.dryRun ? ' (dry run)' : ''}`, syncPhase: 'Sync' });
        } catch (e) {
          failed = true;
          results.push({ ...r.ref, status: 'SyncFailed', message: errorMessage(e), syncPhase: 'Sync' });
        }
      }
    }
    const revision = cmp.revisions[0] ?? '';
    const finishedAt = now();
    const message = cmp.error
      ? `ComparisonError: ${cmp.error}`
      : failed
        ? `one or more objects failed to apply${sync.dryRun ? ' (dry run)' : ''}`
        : `successfully synced (all tasks run)${sync.dryRun ? ' (dry run)' : ''}`;
    const syncResult: any = { revision, resources: results, source: sources[0] };
    if (isMultiSource(app)) Object.assign(syncResult, { revisions: cmp.revisions, sources });
    const finalState = { operation, phase: failed ? 'Failed' : 'Succeeded', message, startedAt, finishedAt, syncResult };
    const statusPatch: any = { operationState: createMergePatch(running, JSON.parse(JSON.stringify(finalState))) };
    if (!failed && !sync.dryRun && !sync.resources?.length) {
      // Selective and dry-run syncs leave no history entry, as in Argo CD.
      const history = [...(((app.status as any)?.history ?? []) as any[])];
      const id = history.reduce((m, h) => Math.max(m, Number(h.id) || 0), -1) + 1;
      history.push({ id, revision, deployStartedAt: startedAt, deployedAt: finishedAt, source: sources[0], initiatedBy: operation.initiatedBy });
      statusPatch.history = history.slice(-10);
    }
    await rest.call('PATCH', appPath, { body: { operation: null, status: statusPatch }, contentType: MERGE_PATCH, signal });
    this.ctx.log(`argo: ${app.metadata.name}: sync ${failed ? 'failed' : 'succeeded'} at ${revision.slice(0, 7)}${operation.initiatedBy?.automated ? ' (automated)' : ''}`);
  }

  private async ensureNamespace(ns: string, signal: AbortSignal): Promise<void> {
    const res = await this.ctx.rest.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, signal });
    if (res.status >= 300 && res.status !== 409) throw new Error(`creating namespace ${ns}: ${res.status}`);
  }

  private async writeStatus(app: KubeObject, cmp: Comparison, force: boolean, signal: AbortSignal): Promise<void> {
    const old = (app.status ?? {}) as any;
    const sources = sourcesOf(app);
    const destination = (app.spec as any)?.destination;
    const sync: any = { status: cmp.sync, comparedTo: { destination, ...(isMultiSource(app) ? { sources } : { source: sources[0] }) } };
    if (isMultiSource(app)) sync.revisions = cmp.revisions;
    else sync.revision = cmp.revisions[0];
    const resources = cmp.resources.map((r) => ({
      ...r.ref,
      status: r.status,
      health: r.desired ? { status: r.health } : undefined,
      requiresPruning: r.requiresPruning || undefined,
    }));
    const next: any = {
      sync,
      health: { status: cmp.health },
      resources: JSON.parse(JSON.stringify(resources)),
      sourceType: cmp.sourceType,
      conditions: cmp.error ? [{ type: 'ComparisonError', message: cmp.error, lastTransitionTime: now() }] : null,
    };
    const changed =
      stableStringify({ s: old.sync, h: old.health, r: old.resources, c: old.conditions?.map((c: any) => c.message) ?? null }) !==
      stableStringify({ s: next.sync, h: next.health, r: next.resources, c: next.conditions?.map((c: any) => c.message) ?? null });
    if (!changed && !force) return;
    next.reconciledAt = now();
    const body: any = { status: next };
    if (app.metadata.annotations?.[REFRESH_ANNOTATION] !== undefined) body.metadata = { annotations: { [REFRESH_ANNOTATION]: null } };
    await this.ctx.rest.call('PATCH', await this.ctx.rest.objectPath(app, signal), { body, contentType: MERGE_PATCH, signal });
  }
}

/** spec.ignoreDifferences (jsonPointers only): those fields are left out of the comparison. */
function withoutIgnored(desired: Record<string, any>, ref: ResourceRef, rules: any[] | undefined): Record<string, any> {
  const pointers = (rules ?? [])
    .filter((r) => (r.group ?? '') === ref.group || r.group === '*')
    .filter((r) => r.kind === ref.kind || r.kind === '*')
    .filter((r) => (!r.name || r.name === ref.name) && (!r.namespace || r.namespace === ref.namespace))
    .flatMap((r) => (r.jsonPointers ?? []) as string[]);
  if (pointers.length === 0) return desired;
  const out = structuredClone(desired);
  for (const p of pointers) {
    const parts = p.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
    const parent = parts.slice(0, -1).reduce<any>((o, k) => (o && typeof o === 'object' ? o[k] : undefined), out);
    if (parent && typeof parent === 'object') delete parent[parts[parts.length - 1]];
  }
  return out;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}
