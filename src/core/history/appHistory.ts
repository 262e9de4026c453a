// An app's timeline (issue 15): Argo CD `status.history` and `operationState`, Flux conditions, snapshots and
// applied/attempted revisions, the extension's own audit Events (pause, breakglass, …) and live edits from
// managedFields (manager + time), merged newest first. Pure: the caller lists the Events and holds the drift.
import type { KubeObject, ObjectRef, ResourceDiff } from '../model';

export type HistoryKind = 'sync' | 'operation' | 'reconcile' | 'condition' | 'event' | 'live-edit';

export interface HistoryEntry {
  /** ISO time; entries without one are left out. */
  time: string;
  kind: HistoryKind;
  /** One line: "Synced to 1a2b3c4 (automated)", "kubectl-edit changed Deployment shop/web". */
  title: string;
  /** More lines: per-resource results, condition messages, the changed fields. */
  detail?: string[];
  /** Who: an Argo CD user, `automated`, a cluster user from an Event, a field manager. */
  who?: string;
  result?: 'succeeded' | 'failed' | 'running' | 'info';
  /** Git revision (commit SHA) the entry is about, when it names one: the diff at that revision can be opened. */
  revision?: string;
  /** The object a live edit changed. */
  resource?: ObjectRef;
}

export interface HistoryInput {
  liveApp?: KubeObject;
  /** Events whose involvedObject is the app (any reporter; the extension's own have reportingComponent gitops-drift). */
  events?: KubeObject[];
  /** The app's resource diffs: their changes carry the live field manager and time. */
  resources?: ResourceDiff[];
}

const get = (o: unknown, ...p: string[]): any => p.reduce<any>((c, k) => (c && typeof c === 'object' ? c[k] : undefined), o);

/** `main@sha1:abc…` (Flux), `abc…` (Argo) → the commit SHA, when the revision names one. */
export function commitOf(revision: unknown): string | undefined {
  if (typeof revision !== 'string') return undefined;
  const m = /(?:^|[@:])([0-9a-f]{40})$/.exec(revision) ?? /^([0-9a-f]{7,40})$/.exec(revision);
  return m?.[1];
}

const short = (rev: unknown) => (typeof rev === 'string' ? (commitOf(rev)?.slice(0, 7) ?? rev) : '?');

function initiator(op: unknown): string | undefined {
  const by = get(op, 'initiatedBy');
  if (!by) return undefined;
  return by.automated ? 'automated' : by.username;
}

function argoEntries(app: KubeObject): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const h of (get(app, 'status', 'history') ?? []) as Record<string, any>[]) {
    const time = h.deployedAt ?? h.deployStartedAt;
    if (!time) continue;
    const who = initiator(h);
    out.push({ time, kind: 'sync', title: `Synced to ${short(h.revision)}${who ? ` (${who})` : ''}`, who, result: 'succeeded', revision: commitOf(h.revision), detail: h.source?.path ? [`source ${h.source.repoURL ?? ''} ${h.source.path}`.trim()] : undefined });
  }
  const op = get(app, 'status', 'operationState');
  if (op && (op.finishedAt || op.startedAt)) {
    const phase: string = op.phase ?? 'Unknown';
    const who = initiator(op.operation);
    const results = ((get(op, 'syncResult', 'resources') ?? []) as Record<string, any>[]).map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.status}${r.message ? ` — ${r.message}` : ''}`);
    out.push({
      time: op.finishedAt ?? op.startedAt,
      kind: 'operation',
      title: `Sync operation ${phase}${who ? ` (${who})` : ''}${op.message ? `: ${op.message}` : ''}`,
      who,
      result: phase === 'Succeeded' ? 'succeeded' : phase === 'Running' || phase === 'Terminating' ? 'running' : 'failed',
      revision: commitOf(get(op, 'syncResult', 'revision') ?? get(op, 'operation', 'sync', 'revision')),
      detail: results.length ? results : undefined,
    });
  }
  return out;
}

function fluxEntries(app: KubeObject): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  const status = get(app, 'status') ?? {};
  for (const c of (status.conditions ?? []) as Record<string, any>[]) {
    if (!c.lastTransitionTime) continue;
    const ok = c.status === 'True';
    const revision = c.type === 'Ready' ? (ok ? status.lastAppliedRevision : status.lastAttemptedRevision) : undefined;
    out.push({
      time: c.lastTransitionTime,
      kind: 'condition',
      title: `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`,
      result: c.type === 'Ready' ? (ok ? 'succeeded' : c.status === 'False' ? 'failed' : 'running') : 'info',
      revision: commitOf(revision),
      detail: [c.message, c.type === 'Ready' && status.lastAppliedRevision ? `last applied ${status.lastAppliedRevision}` : undefined, c.type === 'Ready' && status.lastAttemptedRevision && status.lastAttemptedRevision !== status.lastAppliedRevision ? `last attempted ${status.lastAttemptedRevision}` : undefined].filter(Boolean) as string[],
    });
  }
  for (const h of (status.history ?? []) as Record<string, any>[]) {
    const rev = get(h, 'metadata', 'revision');
    if (!h.lastReconciled) continue;
    out.push({
      time: h.lastReconciled,
      kind: 'reconcile',
      title: `Reconciled ${short(rev)}: ${h.lastReconciledStatus ?? ''}${h.totalReconciliations ? ` (${h.totalReconciliations}× since ${h.firstReconciled ?? '?'})` : ''}`.trim(),
      result: /Failed/.test(h.lastReconciledStatus ?? '') ? 'failed' : 'succeeded',
      revision: commitOf(rev),
    });
  }
  return out;
}

function eventEntries(events: KubeObject[]): HistoryEntry[] {
  return events.flatMap((e): HistoryEntry[] => {
    const ev = e as Record<string, any>;
    const time = ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp ?? e.metadata.creationTimestamp;
    if (!time) return [];
    const component = ev.reportingComponent || ev.source?.component;
    const who = typeof ev.message === 'string' ? / by (.+)$/.exec(ev.message)?.[1] : undefined;
    return [{ time, kind: 'event', title: `${ev.reason ?? 'Event'}: ${ev.message ?? ''}`, who, result: ev.type === 'Warning' ? 'failed' : 'info', detail: component ? [`reported by ${component}`] : undefined }];
  });
}

/** Live edits: one entry per resource, field manager and time (managedFields keep one time per manager). */
function liveEditEntries(resources: ResourceDiff[]): HistoryEntry[] {
  const groups = new Map<string, HistoryEntry>();
  for (const d of resources) {
    for (const c of d.changes) {
      if (!c.manager || !c.time) continue;
      const key = `${d.ref.kind}/${d.ref.namespace}/${d.ref.name}\u0000${c.manager}\u0000${c.time}`;
      const e = groups.get(key) ?? { time: c.time, kind: 'live-edit' as const, title: `${c.manager} changed ${d.ref.kind} ${d.ref.namespace ? `${d.ref.namespace}/` : ''}${d.ref.name} live`, who: c.manager, result: 'info' as const, resource: d.ref, detail: [] };
      e.detail!.push(`${c.path}${c.category === 'live-only' ? ' (not in Git)' : ''}`);
      groups.set(key, e);
    }
  }
  return [...groups.values()];
}

/** The merged timeline, newest first (ties keep source order: operations before history before conditions…). */
export function appHistory(input: HistoryInput): HistoryEntry[] {
  const app = input.liveApp;
  const group = app?.apiVersion?.split('/')[0] ?? '';
  const entries = [
    ...(app && group === 'argoproj.io' ? argoEntries(app) : []),
    ...(app && group.endsWith('.toolkit.fluxcd.io') ? fluxEntries(app) : []),
    ...eventEntries(input.events ?? []),
    ...liveEditEntries(input.resources ?? []),
  ].filter((e) => !Number.isNaN(Date.parse(e.time)));
  return entries.map((e, i) => ({ e, i })).sort((a, b) => Date.parse(b.e.time) - Date.parse(a.e.time) || a.i - b.i).map(({ e }) => e);
}
