// Breakglass: pause the owning app, record who/why/until when in an annotation on the app, and end it by
// resuming with the remembered settings and recording the capture commit.
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { Clock } from '../ports';
import { systemClock } from '../ports';
import type { KubeClient } from '../kube/types';
import { applicationCrdSupportsAutomatedEnabled, buildPausePatch, resumeAutoSync, type AutomatedSettings } from './argo-pause';
import { withConflictRetry } from './conflict-retry';
import { BREAKGLASS_ANNOTATION, CONTROL_FIELD_MANAGER } from './constants';
import { isSuspended, resumeFlux } from './flux';
import type { Actor } from './identity';
import { emitControlEvent } from './events';

export interface PreviousSyncSettings {
  /** Argo: the `automated` block before the pause; null when auto-sync was already off. */
  automated?: AutomatedSettings | null;
  method?: 'enabled-false' | 'removed' | 'none';
  /** Flux: `spec.suspend` before the pause. */
  suspend?: boolean;
}

export interface BreakglassRecord {
  /** The cluster user (SelfSubjectReview) when the caller resolved an actor; else the user the caller named. */
  user: string;
  /** Git identity, secondary to the cluster user. */
  gitUser?: string;
  reason: string;
  ticket?: string;
  started: string;
  expires: string;
  previous: PreviousSyncSettings;
  ended?: string;
  endedBy?: string;
  endedByGit?: string;
  resumed?: boolean;
  commit?: string;
  branch?: string;
}

export interface BreakglassState {
  record: BreakglassRecord;
  active: boolean;
  expired: boolean;
  minutesPaused: number;
  /** e.g. `paused 12 min by alice@example.com — hotfix for INC-42`. */
  summary: string;
}

const isArgo = (ref: ObjectRef) => ref.kind === 'Application';

export function parseBreakglass(obj: KubeObject): BreakglassRecord | undefined {
  const raw = obj.metadata.annotations?.[BREAKGLASS_ANNOTATION];
  if (!raw) return undefined;
  try {
    const r = JSON.parse(raw) as BreakglassRecord;
    return r && typeof r.user === 'string' && typeof r.started === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** State for the tree tooltip and status bar; undefined when the app never had a (readable) breakglass. */
export function breakglassState(obj: KubeObject, now: Date = new Date()): BreakglassState | undefined {
  const record = parseBreakglass(obj);
  if (!record) return undefined;
  const active = !record.ended;
  const end = record.ended ? Date.parse(record.ended) : now.getTime();
  const minutesPaused = Math.max(0, Math.floor((end - Date.parse(record.started)) / 60_000));
  const expired = active && now.getTime() > Date.parse(record.expires);
  const who = record.user.replace(/@.*$/, '');
  const summary = active
    ? `paused ${minutesPaused} min by ${who} — ${record.reason}${expired ? ' (breakglass expired)' : ''}`
    : `breakglass by ${who} ended after ${minutesPaused} min${record.commit ? ` (captured in ${record.commit.slice(0, 8)})` : ''}`;
  return { record, active, expired, minutesPaused, summary };
}

async function writeRecord(client: KubeClient, ref: ObjectRef, record: BreakglassRecord, signal?: AbortSignal): Promise<KubeObject> {
  return client.patch(ref, { metadata: { annotations: { [BREAKGLASS_ANNOTATION]: JSON.stringify(record) } } }, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, signal });
}

export interface StartBreakglassInput {
  client: KubeClient;
  /** The owning app: an Argo Application or a Flux Kustomization / HelmRelease. */
  app: ObjectRef;
  reason: string;
  ticket?: string;
  /** Default: `expiresIn` after the start. */
  expiresAt?: Date;
  /** How long the breakglass lasts, from the start time the record holds (default one hour). */
  expiresIn?: number;
  /** `git config user.email`, else the OS user: the caller decides. Secondary to `actor` when both are given. */
  user?: string;
  /** The acting cluster user (resolveActor): recorded as `user`, with its git identity as `gitUser`. */
  actor?: Actor;
  /** Where a failure to write the audit Event is told (the breakglass goes ahead). */
  log?(message: string): void;
  clock?: Clock;
  signal?: AbortSignal;
  /** Skip reading the Application CRD (tests, or the caller already knows). */
  supportsEnabled?: boolean;
}

export async function startBreakglass(input: StartBreakglassInput): Promise<{ record: BreakglassRecord; app: KubeObject }> {
  const { client, app: ref, signal } = input;
  const reason = input.reason?.trim();
  if (!reason) throw new GitOpsError('invalid', 'A breakglass needs a reason');
  const user = input.actor?.user ?? input.user?.trim();
  if (!user) throw new GitOpsError('invalid', 'A breakglass needs a user');
  const gitUser = input.actor ? input.actor.gitUser : undefined;
  const now = (input.clock ?? systemClock).now();
  const expires = input.expiresAt ?? new Date(now.getTime() + (input.expiresIn ?? 60 * 60_000));
  if (expires.getTime() <= now.getTime()) throw new GitOpsError('invalid', 'The breakglass expiry must be in the future');
  const supportsEnabled = isArgo(ref) ? (input.supportsEnabled ?? (await applicationCrdSupportsAutomatedEnabled(client, signal))) : false;
  const base = { user, ...(gitUser ? { gitUser } : {}), reason, ...(input.ticket?.trim() ? { ticket: input.ticket.trim() } : {}), started: now.toISOString(), expires: expires.toISOString() };
  // One merge patch carries the pause and the record, guarded by the resourceVersion that was read: a failure leaves
  // neither, and a concurrent start (which changed the object) makes this one re-read and find the other's record.
  const started = await withConflictRetry(
    `start breakglass on ${ref.namespace}/${ref.name}`,
    async () => {
      const current = await client.get(ref, signal);
      const existing = parseBreakglass(current);
      if (existing && !existing.ended) {
        throw new GitOpsError('conflict', `${ref.namespace}/${ref.name}: breakglass already active by ${existing.user} since ${existing.started} (${existing.reason}); end it first`);
      }
      let previous: PreviousSyncSettings;
      let pause: Record<string, unknown> = {};
      if (isArgo(ref)) {
        const p = buildPausePatch(current, supportsEnabled);
        // Already off before the breakglass (by anyone): ending it must leave it off, so nothing is remembered.
        previous = p ? { automated: p.previous, method: p.method } : { automated: null, method: 'none' };
        if (p) pause = p.patch;
      } else {
        previous = { suspend: isSuspended(current) };
        if (!previous.suspend) pause = { spec: { suspend: true } };
      }
      const record: BreakglassRecord = { ...base, previous };
      const pauseMeta = (pause.metadata ?? {}) as { annotations?: Record<string, unknown> };
      const patch = { ...pause, metadata: { ...pauseMeta, annotations: { ...pauseMeta.annotations, [BREAKGLASS_ANNOTATION]: JSON.stringify(record) } } };
      const app = await client.patch(ref, patch, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, resourceVersion: current.metadata.resourceVersion as string, signal });
      return { record, app };
    },
    { signal },
  );
  const r = started.record;
  const paused = isArgo(ref) ? (r.previous.automated ? 'auto-sync paused' : 'auto-sync was already off') : r.previous.suspend ? 'was already suspended' : 'suspended';
  await emitControlEvent(client, started.app, 'BreakglassStarted', `breakglass started: ${r.reason}${r.ticket ? ` (ticket ${r.ticket})` : ''}, expires ${r.expires}; ${paused}`, { actor: input.actor, log: input.log, clock: input.clock }, signal);
  return started;
}

export interface EndBreakglassInput {
  client: KubeClient;
  app: ObjectRef;
  /** Resume with the remembered settings (false: leave the app paused). */
  resume: boolean;
  commit?: string;
  branch?: string;
  user?: string;
  /** The acting cluster user (resolveActor): recorded as `endedBy`, git identity as `endedByGit`. */
  actor?: Actor;
  log?(message: string): void;
  clock?: Clock;
  signal?: AbortSignal;
}

export async function endBreakglass(input: EndBreakglassInput): Promise<{ record: BreakglassRecord; app: KubeObject; resumed: boolean }> {
  const { client, app: ref, signal } = input;
  const current = await client.get(ref, signal);
  const record = parseBreakglass(current);
  if (!record) throw new GitOpsError('invalid', `${ref.namespace}/${ref.name} has no breakglass to end`);
  if (record.ended) throw new GitOpsError('invalid', `The breakglass on ${ref.namespace}/${ref.name} already ended at ${record.ended}`);
  let resumed = false;
  if (input.resume) {
    if (isArgo(ref)) {
      // Auto-sync that was off before the breakglass stays off: there is nothing to restore.
      if (record.previous.automated) {
        await resumeAutoSync(client, ref, { signal, previous: record.previous.automated });
        resumed = true;
      }
    } else if (record.previous.suspend === false) {
      await resumeFlux(client, ref, { signal, wait: false, clock: input.clock });
      resumed = true;
    }
  }
  const ended: BreakglassRecord = {
    ...record,
    ended: (input.clock ?? systemClock).now().toISOString(),
    ...(input.actor ? { endedBy: input.actor.user, ...(input.actor.gitUser ? { endedByGit: input.actor.gitUser } : {}) } : input.user ? { endedBy: input.user } : {}),
    resumed,
    ...(input.commit ? { commit: input.commit } : {}),
    ...(input.branch ? { branch: input.branch } : {}),
  };
  const app = await writeRecord(client, ref, ended, signal);
  const captured = input.commit ? `, captured in ${input.commit.slice(0, 12)}${input.branch ? ` on ${input.branch}` : ''}` : ', nothing captured';
  await emitControlEvent(client, app, 'BreakglassEnded', `breakglass ended (${record.reason})${captured}; ${resumed ? 'resumed' : 'left paused'}`, { actor: input.actor, log: input.log, clock: input.clock }, signal);
  return { record: ended, app, resumed };
}
