// Pause and resume Argo CD auto-sync, restoring the previous `automated` settings exactly (reference §3).
import { GitOpsError, isGitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { KubeClient } from '../kube/types';
import { withConflictRetry } from './conflict-retry';
import { CONTROL_FIELD_MANAGER, PAUSED_AUTOMATED_ANNOTATION, PAUSED_BY_ANNOTATION, SKIP_RECONCILE_ANNOTATION } from './constants';
import type { Actor } from './identity';
import { emitControlEvent, type AuditOptions } from './events';

/** The paused-by annotation value (cluster user first, git identity secondary). */
export function pausedByValue(actor: Actor, at: Date = new Date()): string {
  return JSON.stringify({ user: actor.user, ...(actor.gitUser ? { gitUser: actor.gitUser } : {}), at: at.toISOString() });
}

export type AutomatedSettings = Record<string, unknown>;

export interface PauseResult {
  /** False when auto-sync was already off: nothing was sent. */
  changed: boolean;
  /** The settings a resume restores. */
  previous?: AutomatedSettings;
  method: 'enabled-false' | 'removed' | 'none';
  app: KubeObject;
}

export function automatedOf(app: KubeObject): AutomatedSettings | undefined {
  return ((app.spec as { syncPolicy?: { automated?: AutomatedSettings | null } } | undefined)?.syncPolicy?.automated ?? undefined) || undefined;
}

/** True when Argo would auto-sync this app (automated set and not `enabled: false`). */
export function isAutoSyncOn(app: KubeObject): boolean {
  const a = automatedOf(app);
  return !!a && a.enabled !== false;
}

export function rememberedAutomated(app: KubeObject): AutomatedSettings | undefined {
  const raw = app.metadata.annotations?.[PAUSED_AUTOMATED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as AutomatedSettings) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Does the cluster's Application CRD know `spec.syncPolicy.automated.enabled` (Argo CD ≥ 3.1)? Older CRDs silently
 * prune the field and auto-sync stays on, so without proof (CRD unreadable) the answer is no.
 */
export async function applicationCrdSupportsAutomatedEnabled(client: KubeClient, signal?: AbortSignal): Promise<boolean> {
  let crd: KubeObject;
  try {
    crd = await client.get({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', namespace: '', name: 'applications.argoproj.io' }, signal);
  } catch (e) {
    if (isGitOpsError(e) && (e.reason === 'forbidden' || e.reason === 'notFound')) return false;
    throw e;
  }
  const versions = ((crd.spec as { versions?: Array<Record<string, any>> } | undefined)?.versions ?? []).filter((v) => v.served !== false);
  const v = versions.find((x) => x.name === 'v1alpha1') ?? versions.find((x) => x.storage) ?? versions[0];
  const automated = v?.schema?.openAPIV3Schema?.properties?.spec?.properties?.syncPolicy?.properties?.automated;
  return !!automated?.properties?.enabled;
}

/** Merge patch that pauses auto-sync (pure); undefined when it is already off. */
export function buildPausePatch(app: KubeObject, supportsEnabled: boolean): { patch: Record<string, unknown>; previous: AutomatedSettings; method: 'enabled-false' | 'removed' } | undefined {
  const automated = automatedOf(app);
  if (!automated || automated.enabled === false) return undefined;
  const previous = structuredClone(automated);
  // The annotation is written with either method: it lets resume restore an `enabled` field that was absent.
  const annotations = { [PAUSED_AUTOMATED_ANNOTATION]: JSON.stringify(previous) };
  if (supportsEnabled) {
    return { patch: { metadata: { annotations }, spec: { syncPolicy: { automated: { enabled: false } } } }, previous, method: 'enabled-false' };
  }
  return { patch: { metadata: { annotations }, spec: { syncPolicy: { automated: null } } }, previous, method: 'removed' };
}

/**
 * Merge patch that makes `automated` exactly `previous` again (keys added since are nulled) and drops the annotation.
 * Undefined when auto-sync is already on; throws when there is nothing to restore.
 */
export function buildResumePatch(app: KubeObject, previousOverride?: AutomatedSettings): Record<string, unknown> | undefined {
  const remembered = previousOverride ?? rememberedAutomated(app);
  const current = automatedOf(app);
  const drop: Record<string, null> = {};
  for (const a of [PAUSED_AUTOMATED_ANNOTATION, PAUSED_BY_ANNOTATION]) if (app.metadata.annotations?.[a] !== undefined) drop[a] = null;
  const dropAnnotation = Object.keys(drop).length ? { metadata: { annotations: drop } } : {};
  if (remembered) {
    const automated: Record<string, unknown> = structuredClone(remembered);
    for (const k of Object.keys(current ?? {})) if (!(k in remembered)) automated[k] = null;
    return { ...dropAnnotation, spec: { syncPolicy: { automated } } };
  }
  if (current && current.enabled === false) return { ...dropAnnotation, spec: { syncPolicy: { automated: { enabled: null } } } };
  if (current) return undefined;
  throw new GitOpsError('invalid', `Auto-sync of ${app.metadata.namespace}/${app.metadata.name} is off and no earlier settings were remembered; enable it in Git or with explicit settings`);
}

const patchOpts = (app: KubeObject, signal?: AbortSignal) => ({ type: 'merge' as const, fieldManager: CONTROL_FIELD_MANAGER, resourceVersion: app.metadata.resourceVersion as string, signal });

export async function pauseAutoSync(client: KubeClient, ref: ObjectRef, opts: { signal?: AbortSignal; supportsEnabled?: boolean } & AuditOptions = {}): Promise<PauseResult> {
  const supports = opts.supportsEnabled ?? (await applicationCrdSupportsAutomatedEnabled(client, opts.signal));
  const r: PauseResult = await withConflictRetry(
    `pause auto-sync of ${ref.namespace}/${ref.name}`,
    async () => {
      const app = await client.get(ref, opts.signal);
      const p = buildPausePatch(app, supports);
      if (!p) return { changed: false, method: 'none', app, previous: rememberedAutomated(app) };
      if (opts.actor) ((p.patch.metadata as { annotations: Record<string, unknown> }).annotations[PAUSED_BY_ANNOTATION] = pausedByValue(opts.actor));
      const updated = await client.patch(ref, p.patch, patchOpts(app, opts.signal));
      return { changed: true, previous: p.previous, method: p.method, app: updated };
    },
    { signal: opts.signal },
  );
  if (r.changed) await emitControlEvent(client, r.app, 'AutoSyncPaused', `auto-sync paused (${r.method === 'enabled-false' ? 'automated.enabled: false' : 'automated removed, kept in an annotation'})`, opts, opts.signal);
  return r;
}

/** Restores the remembered settings (or `previous` when the caller kept them, e.g. in a breakglass record). */
export async function resumeAutoSync(client: KubeClient, ref: ObjectRef, opts: { signal?: AbortSignal; previous?: AutomatedSettings } & AuditOptions = {}): Promise<{ changed: boolean; app: KubeObject }> {
  const r = await withConflictRetry(
    `resume auto-sync of ${ref.namespace}/${ref.name}`,
    async () => {
      const app = await client.get(ref, opts.signal);
      const patch = buildResumePatch(app, opts.previous);
      if (!patch) return { changed: false, app };
      return { changed: true, app: await client.patch(ref, patch, patchOpts(app, opts.signal)) };
    },
    { signal: opts.signal },
  );
  if (r.changed) await emitControlEvent(client, r.app, 'AutoSyncResumed', 'auto-sync resumed with the remembered settings', opts, opts.signal);
  return r;
}

/** What to tell the user before turning skip-reconcile on (reference §3: Alpha, and nothing is processed). */
export const SKIP_RECONCILE_WARNING =
  'Skip reconcile stops Argo CD from processing this app at all: no refresh, no auto-sync, and manual syncs stay pending until it is turned off. Status is frozen meanwhile. (Alpha feature, Argo CD ≥ 2.7.)';

/** Skip-reconcile on/off. Warn users: while on, the controller processes nothing, manual syncs included. */
export async function setSkipReconcile(client: KubeClient, ref: ObjectRef, on: boolean, signal?: AbortSignal): Promise<KubeObject> {
  return client.patch(ref, { metadata: { annotations: { [SKIP_RECONCILE_ANNOTATION]: on ? 'true' : null } } }, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, signal });
}

export function isSkipReconcile(app: KubeObject): boolean {
  return /^(1|t|true)$/i.test(app.metadata.annotations?.[SKIP_RECONCILE_ANNOTATION] ?? '');
}
