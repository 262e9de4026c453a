// Flux suspend / resume / reconcile through annotations and spec.suspend, waiting on lastHandledReconcileAt + Ready (reference §7).
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { Clock } from '../ports';
import { systemClock, throwIfAborted, sleep } from '../ports';
import type { KubeClient } from '../kube/types';
import { CONTROL_FIELD_MANAGER, FLUX_FORCE_AT, FLUX_REQUESTED_AT, FLUX_RESET_AT, PAUSED_BY_ANNOTATION } from './constants';
import { emitControlEvent, type AuditOptions } from './events';
import { pausedByValue } from './argo-pause';

export const FLUX_KINDS: Record<string, { group: string; version: string }> = {
  Kustomization: { group: 'kustomize.toolkit.fluxcd.io', version: 'v1' },
  HelmRelease: { group: 'helm.toolkit.fluxcd.io', version: 'v2' },
  GitRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1' },
  OCIRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1' },
  Bucket: { group: 'source.toolkit.fluxcd.io', version: 'v1' },
  HelmRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1' },
  HelmChart: { group: 'source.toolkit.fluxcd.io', version: 'v1' },
};

export function fluxRef(kind: string, namespace: string, name: string): ObjectRef {
  const k = FLUX_KINDS[kind];
  if (!k) throw new GitOpsError('unsupported', `${kind} is not a Flux kind this extension controls`);
  return { group: k.group, version: k.version, kind, namespace, name };
}

const fieldManager = CONTROL_FIELD_MANAGER;

/** The annotation patch of a reconcile request (pure). forceAt/resetAt count only when equal to requestedAt. */
export function buildReconcilePatch(token: string, opts: { force?: boolean; reset?: boolean } = {}): Record<string, unknown> {
  const annotations: Record<string, string> = { [FLUX_REQUESTED_AT]: token };
  if (opts.force) annotations[FLUX_FORCE_AT] = token;
  if (opts.reset) annotations[FLUX_RESET_AT] = token;
  return { metadata: { annotations } };
}

export function isSuspended(obj: KubeObject): boolean {
  return (obj.spec as { suspend?: boolean } | undefined)?.suspend === true;
}

/** The source a Kustomization or HelmRelease reconciles from (reference: `--with-source`). */
export function sourceRefOf(obj: KubeObject): ObjectRef | undefined {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const ns = obj.metadata.namespace ?? '';
  if (obj.kind === 'Kustomization' && spec.sourceRef?.kind && FLUX_KINDS[spec.sourceRef.kind]) {
    return fluxRef(spec.sourceRef.kind, spec.sourceRef.namespace ?? ns, spec.sourceRef.name);
  }
  if (obj.kind === 'HelmRelease') {
    if (spec.chartRef?.kind && FLUX_KINDS[spec.chartRef.kind]) return fluxRef(spec.chartRef.kind, spec.chartRef.namespace ?? ns, spec.chartRef.name);
    const chartSourceNs = spec.chart?.spec?.sourceRef?.namespace ?? ns;
    if (spec.chart) return fluxRef('HelmChart', chartSourceNs, `${ns}-${obj.metadata.name}`);
  }
  if (obj.kind === 'HelmChart' && spec.sourceRef?.kind && FLUX_KINDS[spec.sourceRef.kind]) return fluxRef(spec.sourceRef.kind, ns, spec.sourceRef.name);
  return undefined;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface FluxOutcome {
  ready: boolean;
  reason?: string;
  message?: string;
  /** lastAppliedRevision (Kustomization), artifact revision (sources), lastAttemptedRevision (HelmRelease). */
  revision?: string;
  object: KubeObject;
}

export function fluxOutcome(obj: KubeObject): FluxOutcome {
  const st = (obj.status ?? {}) as Record<string, any>;
  const ready = ((st.conditions ?? []) as Condition[]).find((c) => c.type === 'Ready');
  return {
    ready: ready?.status === 'True',
    reason: ready?.reason,
    message: ready?.message,
    revision: st.lastAppliedRevision ?? st.artifact?.revision ?? st.lastAttemptedRevision,
    object: obj,
  };
}

/** Has the controller handled `token` (or anything after `previousHandled`) and settled (kstatus Current or Failed)? */
export function reconcileSettled(obj: KubeObject, token: string | undefined, previousHandled?: string): boolean {
  const st = (obj.status ?? {}) as Record<string, any>;
  const handled = st.lastHandledReconcileAt as string | undefined;
  if (token ? handled !== token : handled === previousHandled) return false;
  const gen = obj.metadata.generation as number | undefined;
  if (gen !== undefined && st.observedGeneration !== undefined && st.observedGeneration < gen) return false;
  const conds = (st.conditions ?? []) as Condition[];
  const ready = conds.find((c) => c.type === 'Ready');
  const stalled = conds.find((c) => c.type === 'Stalled' && c.status === 'True');
  const reconciling = conds.find((c) => c.type === 'Reconciling' && c.status === 'True');
  if (stalled) return true;
  return !!ready && ready.status !== 'Unknown' && !reconciling;
}

export interface FluxWaitOptions {
  signal?: AbortSignal;
  pollMs?: number;
  timeoutMs?: number;
  clock?: Clock;
  onProgress?(message: string): void;
}


export async function waitForFluxReconcile(client: KubeClient, ref: ObjectRef, token: string | undefined, opts: FluxWaitOptions & { previousHandled?: string } = {}): Promise<FluxOutcome> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now().getTime() + (opts.timeoutMs ?? 5 * 60_000);
  for (;;) {
    throwIfAborted(opts.signal);
    const obj = await client.get(ref, opts.signal);
    if (reconcileSettled(obj, token, opts.previousHandled)) return fluxOutcome(obj);
    if (clock.now().getTime() > deadline) {
      throw new GitOpsError('timeout', `${ref.kind} ${ref.namespace}/${ref.name} did not finish reconciling in time (${fluxOutcome(obj).message ?? 'no Ready condition yet'})`);
    }
    await sleep(opts.pollMs ?? 1000, opts.signal);
  }
}

export interface ReconcileOptions extends FluxWaitOptions {
  /** Reconcile the source first and wait until it is Ready (`flux reconcile --with-source`). */
  withSource?: boolean;
  /** HelmRelease only: one-off install/upgrade and failure-counter reset. */
  force?: boolean;
  reset?: boolean;
  /** Wait for the result (default true). */
  wait?: boolean;
}

/** Requests a reconcile; with `wait` resolves with the outcome (Ready or not) and throws on timeout. */
export async function reconcileFlux(client: KubeClient, ref: ObjectRef, opts: ReconcileOptions = {}): Promise<FluxOutcome & { token: string; source?: FluxOutcome }> {
  const clock = opts.clock ?? systemClock;
  const obj = await client.get(ref, opts.signal);
  if (isSuspended(obj)) throw new GitOpsError('invalid', `${ref.kind} ${ref.namespace}/${ref.name} is suspended; resume it before reconciling`);
  let source: FluxOutcome | undefined;
  if (opts.withSource) {
    const src = sourceRefOf(obj);
    if (!src) throw new GitOpsError('invalid', `${ref.kind} ${ref.namespace}/${ref.name} has no source to reconcile`);
    opts.onProgress?.(`Reconciling source ${src.kind} ${src.namespace}/${src.name}`);
    source = await reconcileFlux(client, src, { ...opts, withSource: src.kind === 'HelmChart', force: false, reset: false, wait: true });
    if (!source.ready) throw new GitOpsError('invalid', `Source ${src.kind} ${src.namespace}/${src.name} is not ready: ${source.message ?? source.reason ?? 'unknown'}`);
  }
  const token = clock.now().toISOString();
  const isHr = ref.kind === 'HelmRelease';
  const patched = await client.patch(ref, buildReconcilePatch(token, { force: isHr && opts.force, reset: isHr && opts.reset }), { type: 'merge', fieldManager, signal: opts.signal });
  if (opts.wait === false) return { ...fluxOutcome(patched), token, source };
  opts.onProgress?.(`Waiting for ${ref.kind} ${ref.namespace}/${ref.name}`);
  return { ...(await waitForFluxReconcile(client, ref, token, opts)), token, source };
}

/** `spec.suspend: true`; with an actor, also names who suspended it (paused-by annotation, cluster user first). */
export async function suspendFlux(client: KubeClient, ref: ObjectRef, signal?: AbortSignal, opts: AuditOptions = {}): Promise<{ changed: boolean; object: KubeObject }> {
  const obj = await client.get(ref, signal);
  if (isSuspended(obj)) return { changed: false, object: obj };
  const body = { ...(opts.actor ? { metadata: { annotations: { [PAUSED_BY_ANNOTATION]: pausedByValue(opts.actor) } } } : {}), spec: { suspend: true } };
  const object = await client.patch(ref, body, { type: 'merge', fieldManager, signal });
  await emitControlEvent(client, object, 'Suspended', `${ref.kind} suspended (spec.suspend: true)`, opts, signal);
  return { changed: true, object };
}

/** `suspend: false` (as `flux resume`) plus a reconcile request, so the wait can tell our run from an older one. */
export async function resumeFlux(client: KubeClient, ref: ObjectRef, opts: FluxWaitOptions & { wait?: boolean; actor?: AuditOptions['actor']; log?: AuditOptions['log'] } = {}): Promise<FluxOutcome & { changed: boolean }> {
  const obj = await client.get(ref, opts.signal);
  const token = (opts.clock ?? systemClock).now().toISOString();
  const request = buildReconcilePatch(token) as { metadata: { annotations: Record<string, unknown> } };
  if (obj.metadata.annotations?.[PAUSED_BY_ANNOTATION] !== undefined) request.metadata.annotations[PAUSED_BY_ANNOTATION] = null;
  const body = { ...request, spec: { suspend: false } };
  const patched = await client.patch(ref, body, { type: 'merge', fieldManager, signal: opts.signal });
  const changed = isSuspended(obj);
  await emitControlEvent(client, patched, 'Resumed', `${ref.kind} ${changed ? 'resumed' : 'was not suspended; resume'} with reconcile request ${token}`, { actor: opts.actor, log: opts.log, clock: opts.clock }, opts.signal);
  if (opts.wait === false) return { ...fluxOutcome(patched), changed };
  return { ...(await waitForFluxReconcile(client, ref, token, opts)), changed };
}
