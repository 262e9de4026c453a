// Breakglass: pause the owning app, record who/why/until when in an annotation on the app, and end it by
// resuming with the remembered settings and recording the capture commit.
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { Clock } from '../ports';
import { systemClock } from '../ports';
import type { KubeClient } from '../kube/types';
import { pauseAutoSync, resumeAutoSync, type AutomatedSettings } from './argo-pause';
import { BREAKGLASS_ANNOTATION, CONTROL_FIELD_MANAGER } from './constants';
import { resumeFlux, suspendFlux } from './flux';

export interface PreviousSyncSettings {
  /** Argo: the `automated` block before the pause; null when auto-sync was already off. */
  automated?: AutomatedSettings | null;
  method?: 'enabled-false' | 'removed' | 'none';
  /** Flux: `spec.suspend` before the pause. */
  suspend?: boolean;
}

export interface BreakglassRecord {
  user: string;
  reason: string;
  ticket?: string;
  started: string;
  expires: string;
  previous: PreviousSyncSettings;
  ended?: string;
  endedBy?: string;
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
  /** Default: one hour from now. */
  expiresAt?: Date;
  /** `git config user.email`, else the OS user: the caller decides. */
  user: string;
  clock?: Clock;
  signal?: AbortSignal;
  /** Skip reading the Application CRD (tests, or the caller already knows). */
  supportsEnabled?: boolean;
}

export async function startBreakglass(input: StartBreakglassInput): Promise<{ record: BreakglassRecord; app: KubeObject }> {
  const { client, app: ref, signal } = input;
  const reason = input.reason?.trim();
  if (!reason) throw new GitOpsError('invalid', 'A breakglass needs a reason');
  if (!input.user?.trim()) throw new GitOpsError('invalid', 'A breakglass needs a user');
  const now = (input.clock ?? systemClock).now();
  const expires = input.expiresAt ?? new Date(now.getTime() + 60 * 60_000);
  if (expires.getTime() <= now.getTime()) throw new GitOpsError('invalid', 'The breakglass expiry must be in the future');
  const current = await client.get(ref, signal);
  const existing = parseBreakglass(current);
  if (existing && !existing.ended) throw new GitOpsError('conflict', `${ref.namespace}/${ref.name} is already in breakglass by ${existing.user} since ${existing.started} (${existing.reason})`);
  let previous: PreviousSyncSettings;
  if (isArgo(ref)) {
    const p = await pauseAutoSync(client, ref, { signal, supportsEnabled: input.supportsEnabled });
    // Already off before the breakglass (by anyone): ending it must leave it off, so nothing is remembered.
    previous = { automated: p.changed ? (p.previous ?? null) : null, method: p.method };
  } else {
    const s = await suspendFlux(client, ref, signal);
    previous = { suspend: !s.changed };
  }
  const record: BreakglassRecord = { user: input.user.trim(), reason, ...(input.ticket?.trim() ? { ticket: input.ticket.trim() } : {}), started: now.toISOString(), expires: expires.toISOString(), previous };
  return { record, app: await writeRecord(client, ref, record, signal) };
}

export interface EndBreakglassInput {
  client: KubeClient;
  app: ObjectRef;
  /** Resume with the remembered settings (false: leave the app paused). */
  resume: boolean;
  commit?: string;
  branch?: string;
  user?: string;
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
    ...(input.user ? { endedBy: input.user } : {}),
    resumed,
    ...(input.commit ? { commit: input.commit } : {}),
    ...(input.branch ? { branch: input.branch } : {}),
  };
  return { record: ended, app: await writeRecord(client, ref, ended, signal), resumed };
}
