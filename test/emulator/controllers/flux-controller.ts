// Simulated Flux: source-controller for GitRepository, kustomize-controller for Kustomization (post-build
// substitution, apply as `kustomize-controller`, take over kubectl* fields, prune, inventory), and helm-controller
// for HelmReleases of a chart in a GitRepository (helm-release-sim.ts; other charts: status only).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../../src/core/model';
import { type ControllerContext, RenderCache, errorMessage, localRepoFor } from './controller-context';
import { MERGE_PATCH } from './kube-rest';
import { comparable, driftPaths, stableStringify } from './object-compare';
import { fluxVariables, substituteObjects } from './flux-substitute';
import { installFromGit } from './helm-release-sim';
import { serverSideApply, takeOverFields } from './server-side-apply';

export const FLUX_MANAGER = 'kustomize-controller';
export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
const KS_API = 'kustomize.toolkit.fluxcd.io/v1';
const HR_API = 'helm.toolkit.fluxcd.io/v2';

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Keeps lastTransitionTime when a condition's status did not change, as kstatus-style controllers do. */
function withTimes(next: Condition[], old: Condition[] | undefined): Condition[] {
  return next.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now() };
  });
}

/** `<namespace>_<name>_<group>_<kind>` (cli-utils ObjMetadata), `:` in names written as `__`. */
export function inventoryId(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.metadata.namespace ?? ''}_${(o.metadata.name ?? '').replace(/:/g, '__')}_${group}_${o.kind}`;
}

function parseInventoryId(id: string, v: string): KubeObject | undefined {
  const first = id.indexOf('_');
  const last = id.lastIndexOf('_');
  const prev = id.lastIndexOf('_', last - 1);
  if (first < 0 || prev <= first) return undefined;
  const group = id.slice(prev + 1, last);
  return {
    apiVersion: group ? `${group}/${v}` : v,
    kind: id.slice(last + 1),
    metadata: { namespace: id.slice(0, first) || undefined, name: id.slice(first + 1, prev).replace(/__/g, ':') },
  };
}

/** Go duration (`1m30s`, `10m`, `1h`, `500ms`) in ms; undefined when absent or malformed. */
export function parseDuration(d: string | undefined): number | undefined {
  if (!d || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(d)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, , u] of d.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * unit[u];
  return total;
}

/** Due when never reconciled, when asked through requestedAt, when the spec changed, or at the interval. */
function due(obj: KubeObject, lastRun: number | undefined, intervalMs: number): boolean {
  const status = (obj.status ?? {}) as any;
  const requested = obj.metadata.annotations?.[REQUESTED_AT];
  if (requested !== undefined && requested !== status.lastHandledReconcileAt) return true;
  if (status.observedGeneration !== obj.metadata.generation) return true;
  return lastRun === undefined || Date.now() - lastRun >= intervalMs;
}

export class FluxController {
  private readonly renders = new RenderCache();
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  async tick(signal: AbortSignal): Promise<void> {
    for (const [api, kind, fn] of [
      [SOURCE_API, 'GitRepository', (o: KubeObject) => this.reconcileGitRepository(o, signal)],
      [KS_API, 'Kustomization', (o: KubeObject) => this.reconcileKustomization(o, signal)],
      [HR_API, 'HelmRelease', (o: KubeObject) => this.reconcileHelmRelease(o, signal)],
    ] as const) {
      for (const obj of await this.ctx.rest.list(api, kind, undefined, signal)) {
        if (signal.aborted) return;
        const key = `${kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
        if ((obj.spec as any)?.suspend === true) continue; // a suspended object is left alone entirely
        // spec.interval counts, capped by the configured period so tests and the demo stay lively.
        const interval = Math.min(parseDuration((obj.spec as any)?.interval) ?? Infinity, this.ctx.timing.reconcileIntervalMs);
        if (!due(obj, this.lastRun.get(key), interval)) continue;
        this.lastRun.set(key, Date.now());
        try {
          await fn(obj);
        } catch (e) {
          if (!signal.aborted) this.ctx.log(`flux: ${key}: ${errorMessage(e)}`);
        }
      }
    }
  }

  private async writeStatus(obj: KubeObject, status: Record<string, any>, signal: AbortSignal): Promise<void> {
    const old = (obj.status ?? {}) as any;
    const next = { ...status, conditions: withTimes(status.conditions ?? [], old.conditions) };
    if (stableStringify(Object.fromEntries(Object.keys(next).map((k) => [k, old[k]]))) === stableStringify(next)) return;
    const path = `${await this.ctx.rest.objectPath(obj, signal)}/status`;
    await this.ctx.rest.call('PATCH', path, { body: { status: next }, contentType: MERGE_PATCH, query: { fieldManager: `gotk-${FLUX_MANAGER}` }, signal });
  }

  private async reconcileGitRepository(repo: KubeObject, signal: AbortSignal): Promise<void> {
    const spec = (repo.spec ?? {}) as any;
    const generation = repo.metadata.generation;
    const handled = repo.metadata.annotations?.[REQUESTED_AT];
    try {
      const dir = localRepoFor(this.ctx, spec.url);
      const ref = spec.ref ?? {};
      const wanted = ref.commit ?? ref.name ?? ref.tag ?? ref.branch ?? 'master';
      const fresh = handled !== undefined && handled !== (repo.status as any)?.lastHandledReconcileAt;
      const resolved = await this.ctx.revisions.resolve(dir, wanted, { fresh, signal });
      const revision = ref.commit ? `sha1:${resolved.sha}` : `${resolved.refName ?? wanted}@sha1:${resolved.sha}`;
      const msg = `stored artifact for revision '${revision}'`;
      await this.writeStatus(
        repo,
        {
          observedGeneration: generation,
          lastHandledReconcileAt: handled,
          artifact: {
            path: `gitrepository/${repo.metadata.namespace}/${repo.metadata.name}/${resolved.sha}.tar.gz`,
            url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/${repo.metadata.namespace}/${repo.metadata.name}/${resolved.sha}.tar.gz`,
            revision,
            digest: `sha256:${resolved.sha.padEnd(64, '0').slice(0, 64)}`,
            lastUpdateTime: ((repo.status as any)?.artifact?.revision === revision && (repo.status as any)?.artifact?.lastUpdateTime) || now(),
          },
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Succeeded', message: msg, observedGeneration: generation },
            { type: 'ArtifactInStorage', status: 'True', reason: 'Succeeded', message: msg, observedGeneration: generation },
          ],
        },
        signal,
      );
    } catch (e) {
      await this.writeStatus(
        repo,
        {
          observedGeneration: generation,
          lastHandledReconcileAt: handled,
          conditions: [{ type: 'Ready', status: 'False', reason: 'GitOperationFailed', message: errorMessage(e), observedGeneration: generation }],
        },
        signal,
      );
    }
  }

  private async reconcileKustomization(ks: KubeObject, signal: AbortSignal): Promise<void> {
    const spec = (ks.spec ?? {}) as any;
    const status = (ks.status ?? {}) as any;
    const ksNs = ks.metadata.namespace ?? 'flux-system';
    const generation = ks.metadata.generation;
    const handled = ks.metadata.annotations?.[REQUESTED_AT];
    const base = { observedGeneration: generation, lastHandledReconcileAt: handled };
    const fail = (reason: string, message: string, attempted?: string) =>
      this.writeStatus(
        ks,
        {
          ...base,
          lastAttemptedRevision: attempted ?? status.lastAttemptedRevision,
          conditions: [{ type: 'Ready', status: 'False', reason, message, observedGeneration: generation }],
        },
        signal,
      );

    const srcRef = spec.sourceRef ?? {};
    if (srcRef.kind !== 'GitRepository') return fail('ArtifactFailed', `source kind '${srcRef.kind}' is not simulated`);
    const src = await this.ctx.rest.getOrUndefined(
      `/apis/${SOURCE_API}/namespaces/${srcRef.namespace ?? ksNs}/gitrepositories/${srcRef.name}`,
      signal,
    );
    const artifact = (src?.status as any)?.artifact;
    if (!src || !artifact) return fail('ArtifactFailed', `Source artifact not found, retrying in ${spec.interval ?? '10m'}`);
    const revision: string = artifact.revision;
    const sha = revision.slice(revision.lastIndexOf(':') + 1);
    if (!status.conditions?.some((c: Condition) => c.type === 'Ready') || handled !== status.lastHandledReconcileAt) {
      await this.writeStatus(ks, { ...status, conditions: [
        { type: 'Reconciling', status: 'True', reason: 'Progressing', message: `Fetching manifests for revision ${revision}`, observedGeneration: generation },
        { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress', observedGeneration: generation },
      ] }, signal);
    }

    let objects: KubeObject[];
    try {
      const repoDir = localRepoFor(this.ctx, (src.spec as any)?.url);
      objects = await this.renders.render(this.ctx, repoDir, sha, spec.path ?? './', true, signal);
      objects = substituteObjects(objects, await fluxVariables(this.ctx.rest, ks, signal));
    } catch (e) {
      return fail('BuildFailed', errorMessage(e), revision);
    }
    for (const o of objects) {
      const namespaced = await this.ctx.rest.isNamespaced(o.apiVersion, o.kind, signal);
      if (namespaced === false) delete o.metadata.namespace;
      else if (spec.targetNamespace) o.metadata.namespace = spec.targetNamespace;
      else o.metadata.namespace = o.metadata.namespace || ksNs;
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kustomize.toolkit.fluxcd.io/name': ks.metadata.name!, 'kustomize.toolkit.fluxcd.io/namespace': ksNs };
    }

    const errors: string[] = [];
    let changed = 0;
    for (const o of objects) {
      const policy = o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa'];
      if ((o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/reconcile'] ?? o.metadata.labels?.['kustomize.toolkit.fluxcd.io/reconcile']) === 'disabled') continue;
      if (policy === 'Ignore') continue;
      try {
        const path = await this.ctx.rest.objectPath(o, signal);
        const live = await this.ctx.rest.getOrUndefined(path, signal);
        if (live && policy === 'IfNotPresent') continue;
        // The handover of kubectl* fields is what makes a live-only env var disappear on the next apply.
        const tookOver = live && policy !== 'Merge' ? await takeOverFields(this.ctx.rest, live, FLUX_MANAGER, (m) => m.startsWith('kubectl') || m === 'before-first-apply', signal, o) : false;
        if (tookOver || !live || driftPaths(comparable(o), live, 'apply').length > 0) {
          await serverSideApply(this.ctx.rest, o, { fieldManager: FLUX_MANAGER, signal });
          changed++;
        }
      } catch (e) {
        errors.push(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}: ${errorMessage(e)}`);
      }
    }

    const entries = objects.map((o) => ({ id: inventoryId(o), v: o.apiVersion.split('/').pop()! }));
    if (spec.prune === true && errors.length === 0) {
      const keep = new Set(entries.map((e) => e.id));
      for (const old of (status.inventory?.entries ?? []) as { id: string; v: string }[]) {
        if (keep.has(old.id)) continue;
        const ref = parseInventoryId(old.id, old.v);
        if (!ref) continue;
        try {
          const path = await this.ctx.rest.objectPath(ref, signal);
          const live = await this.ctx.rest.getOrUndefined(path, signal);
          if (live && live.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] !== 'Disabled') await this.ctx.rest.call('DELETE', path, { signal });
        } catch (e) {
          errors.push(`prune ${old.id}: ${errorMessage(e)}`);
        }
      }
    }
    if (errors.length) return fail('ReconciliationFailed', errors.join('\n'), revision);
    if (changed) this.ctx.log(`flux: Kustomization ${ksNs}/${ks.metadata.name}: applied ${changed} object(s) at ${revision}`);
    // A Flux Snapshot: digest of the applied set, revision in metadata; every field the CRD requires (the real
    // server rejects the status otherwise).
    const history = [...((status.history ?? []) as any[])];
    const digest = `sha256:${createHash('sha256').update(JSON.stringify(entries)).digest('hex')}`;
    if (history[0]?.digest === digest && history[0]?.metadata?.revision === revision) {
      history[0] = { ...history[0], lastReconciled: now(), totalReconciliations: (Number(history[0].totalReconciliations) || 0) + 1 };
    } else {
      history.unshift({ digest, firstReconciled: now(), lastReconciled: now(), lastReconciledDuration: '10ms', lastReconciledStatus: 'ReconciliationSucceeded', totalReconciliations: 1, metadata: { revision } });
    }
    await this.writeStatus(
      ks,
      {
        ...base,
        lastAppliedRevision: revision,
        lastAttemptedRevision: revision,
        lastAppliedOriginRevision: null,
        inventory: { entries },
        history: history.slice(0, 5),
        conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: `Applied revision: ${revision}`, observedGeneration: generation }],
      },
      signal,
    );
  }

  /** HelmRelease: a chart from a GitRepository is installed (helm-release-sim.ts); others are accepted and reported. */
  private async reconcileHelmRelease(hr: KubeObject, signal: AbortSignal): Promise<void> {
    const spec = (hr.spec ?? {}) as any;
    const chart = spec.chart?.spec ?? {};
    const generation = hr.metadata.generation;
    const previous = (hr.status as any)?.history?.[0];
    let install;
    try {
      install = await installFromGit(this.ctx, hr, previous?.digest, signal);
    } catch (e) {
      await this.writeStatus(hr, { observedGeneration: generation, lastHandledReconcileAt: hr.metadata.annotations?.[REQUESTED_AT], conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: errorMessage(e), observedGeneration: generation }] }, signal);
      return;
    }
    if (install?.applied) this.ctx.log(`flux: HelmRelease ${hr.metadata.namespace}/${hr.metadata.name}: installed ${install.applied} object(s) at ${install.revision}`);
    if (install) {
      await this.writeStatus(
        hr,
        {
          observedGeneration: generation,
          lastHandledReconcileAt: hr.metadata.annotations?.[REQUESTED_AT],
          lastAttemptedRevision: install.revision,
          history: [{ ...helmSnapshot(hr, chart, spec, previous), digest: install.digest }],
          conditions: [
            { type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: `Helm install succeeded for release ${spec.targetNamespace ?? hr.metadata.namespace}/${hr.metadata.name}`, observedGeneration: generation },
            { type: 'Released', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded', observedGeneration: generation },
          ],
        },
        signal,
      );
      return;
    }
    await this.writeStatus(
      hr,
      {
        observedGeneration: generation,
        lastHandledReconcileAt: hr.metadata.annotations?.[REQUESTED_AT],
        lastAttemptedRevision: chart.version ?? '0.0.0',
        history: [helmSnapshot(hr, chart, spec, (hr.status as any)?.history?.[0])],
        conditions: [
          { type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded (simulated: charts are not rendered)', observedGeneration: generation },
          { type: 'Released', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded (simulated)', observedGeneration: generation },
        ],
      },
      signal,
    );
  }
}

/** A HelmRelease status Snapshot with every field the CRD requires; the first deploy time survives re-reconciles. */
function helmSnapshot(hr: KubeObject, chart: any, spec: any, previous: any): Record<string, unknown> {
  const digest = (v: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(v ?? {})).digest('hex')}`;
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    name: hr.metadata.name,
    namespace: spec.targetNamespace ?? hr.metadata.namespace,
    version: 1,
    status: 'deployed',
    chartName: chart.chart ?? spec.chartRef?.name ?? 'unknown',
    chartVersion: chart.version ?? '0.0.0',
    configDigest: digest(spec.values),
    digest: digest({ chart, values: spec.values }),
    firstDeployed: previous?.firstDeployed ?? at,
    lastDeployed: previous?.lastDeployed ?? at,
  };
}
