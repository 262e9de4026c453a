// Revert forecast (issue 15): for each drifted field, will the app's controller undo it, when, and by which rule.
// Computed from the app's live Application / Kustomization (sync policy, pause, skip-reconcile, breakglass,
// suspend, interval and last reconcile) and the object's own Flux annotations; see
// docs/reference/gitops-controllers.md §3 and §7 for the controller behaviour each rule follows.
import type { FieldChange, KubeObject, ResourceDiff } from '../model';
import type { AppDrift } from '../engine/driftTypes';
import { PAUSED_AUTOMATED_ANNOTATION, PAUSED_BY_ANNOTATION, SKIP_RECONCILE_ANNOTATION } from '../control/constants';
import { parseGoDuration } from './goDuration';

export type RevertWhen = 'next-reconcile' | 'next-sync' | 'while-paused' | 'never' | 'pruned';

export interface RevertForecast {
  when: RevertWhen;
  /** Expected time of the revert (ISO), when the controller's schedule gives one. */
  at?: string;
  /** One sentence for people. */
  reason: string;
  /** The setting that decides it, e.g. `spec.syncPolicy.automated.selfHeal: true`, `spec.suspend: true`. */
  rule: string;
  /** Who paused / suspended / started the breakglass, when known. */
  by?: string;
  /** Breakglass expiry (ISO). */
  until?: string;
  /** A live-only value the controller does not manage: lost if the object is ever recreated. */
  lostIfRecreated?: boolean;
}

/** What the forecast reads of an app: its kind, the live controller object and the state derived from it. */
export type ForecastApp = Pick<AppDrift, 'app' | 'liveApp' | 'state'>;

/** Argo CD's `timeout.reconciliation` default: every app is compared with Git at least this often. */
export const ARGO_RECONCILIATION_TIMEOUT_MS = 180_000;

const RECONCILE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/reconcile';
const SSA_ANNOTATION = 'kustomize.toolkit.fluxcd.io/ssa';
const PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';

function get(obj: unknown, ...path: string[]): any {
  let cur: any = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? cur[p] : undefined;
  return cur;
}

/** `gitops-drift.dev/paused-by` → the cluster user (git identity second), when the extension paused it. */
export function pausedBy(liveApp: KubeObject | undefined): { user: string; at?: string } | undefined {
  const raw = liveApp?.metadata?.annotations?.[PAUSED_BY_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { user?: unknown; gitUser?: unknown; at?: unknown };
    if (typeof v.user !== 'string') return undefined;
    return { user: typeof v.gitUser === 'string' ? `${v.user} (${v.gitUser})` : v.user, at: typeof v.at === 'string' ? v.at : undefined };
  } catch {
    return undefined;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object's Flux exclusion, from Git or live (annotation or label), as kustomize-controller reads both. */
function fluxExclusion(diff: ResourceDiff): { rule: string; reason: string } | undefined {
  for (const o of [diff.desired, diff.live]) {
    const md = o?.metadata;
    if (!md) continue;
    if ((md.annotations?.[RECONCILE_ANNOTATION] ?? md.labels?.[RECONCILE_ANNOTATION]) === 'disabled') {
      return { rule: `${RECONCILE_ANNOTATION}: disabled`, reason: 'Flux neither applies nor prunes this object (reconcile: disabled)' };
    }
    const ssa = md.annotations?.[SSA_ANNOTATION];
    if (ssa === 'Ignore') return { rule: `${SSA_ANNOTATION}: Ignore`, reason: 'Flux never applies this object (ssa: Ignore)' };
    if (ssa === 'IfNotPresent' && diff.live) return { rule: `${SSA_ANNOTATION}: IfNotPresent`, reason: 'Flux only creates this object and never updates it (ssa: IfNotPresent)' };
  }
  return undefined;
}

function fluxSsaMerge(diff: ResourceDiff): boolean {
  return [diff.desired, diff.live].some((o) => o?.metadata?.annotations?.[SSA_ANNOTATION] === 'Merge');
}

/** `a.b[name=x].c` → JSON pointer-ish segments for matching Flux `spec.ignore` paths (`/spec/replicas`). */
function pointerOf(path: string): string {
  return '/' + path.replace(/\[[^\]]*\]/g, (m) => `/${m.slice(1, -1)}`).split('.').join('/');
}

/**
 * Does the Flux pointer cover our field? Segments match when equal; a list index in the pointer matches a keyed item
 * of ours (`name=web`), since the item's index is not known here (it may over-match within one list).
 */
function pointerCovers(pointer: string, field: string): boolean {
  const p = pointer.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
  const f = field.split('/').slice(1);
  if (p.length > f.length) return false;
  return p.every((seg, i) => seg === f[i] || (/^\d+$/.test(seg) && f[i].includes('=')));
}

/** Flux `spec.ignore[]` entries whose target matches the object and one of whose paths covers the field. */
function fluxIgnored(liveApp: KubeObject | undefined, diff: ResourceDiff, change: FieldChange): string | undefined {
  const rules = get(liveApp, 'spec', 'ignore') as { paths?: string[]; target?: Record<string, string> }[] | undefined;
  return Array.isArray(rules) ? matchIgnore(rules, diff, change) : undefined;
}

/** The first path of `rules` (Flux ignore rules: target + JSON pointer paths) that covers the field. */
function matchIgnore(rules: { paths?: string[]; target?: Record<string, string> }[], diff: ResourceDiff, change: FieldChange): string | undefined {
  const field = pointerOf(change.path);
  for (const r of rules) {
    const t = r.target ?? {};
    if (t.group !== undefined && t.group !== diff.ref.group) continue;
    if (t.kind !== undefined && t.kind !== diff.ref.kind) continue;
    if (t.name !== undefined && t.name !== diff.ref.name) continue;
    if (t.namespace !== undefined && t.namespace !== diff.ref.namespace) continue;
    const p = (r.paths ?? []).find((x) => pointerCovers(x, field));
    if (p) return p;
  }
  return undefined;
}

/** Managers whose fields kustomize-controller hands over to itself before applying (prefix `kubectl`). */
export function fluxTakesOver(manager: string | undefined): boolean {
  return !!manager && (manager.startsWith('kubectl') || manager === 'before-first-apply');
}

/** When Flux will next reconcile the Kustomization: the last reconcile plus `spec.interval` (retryInterval after a failure). */
export function fluxNextReconcile(liveApp: KubeObject | undefined, now: Date): { at?: string; interval?: string; last?: string; failing?: string } {
  const status = get(liveApp, 'status') ?? {};
  const conditions = (status.conditions ?? []) as { type: string; status: string; message?: string; lastTransitionTime?: string }[];
  const ready = conditions.find((c) => c.type === 'Ready');
  const failing = ready?.status === 'False' ? ready.message ?? 'the last reconcile failed' : undefined;
  const last: string | undefined = status.history?.[0]?.lastReconciled ?? ready?.lastTransitionTime ?? status.lastHandledReconcileAt;
  const interval: string | undefined = (failing && get(liveApp, 'spec', 'retryInterval')) || get(liveApp, 'spec', 'interval');
  const ms = parseGoDuration(interval);
  const lastMs = last ? Date.parse(last) : NaN;
  if (ms === undefined || Number.isNaN(lastMs)) return { interval, last, failing };
  return { at: iso(Math.max(lastMs + ms, now.getTime())), interval, last, failing };
}

/** Argo CD compares every app at least every reconciliation timeout; a live change or a refresh makes it sooner. */
export function argoNextReconcile(liveApp: KubeObject | undefined, now: Date): string {
  const last = Date.parse(get(liveApp, 'status', 'reconciledAt') ?? '');
  const due = Number.isNaN(last) ? now.getTime() + ARGO_RECONCILIATION_TIMEOUT_MS : last + ARGO_RECONCILIATION_TIMEOUT_MS;
  return iso(Math.max(due, now.getTime()));
}

/** Paused: skip-reconcile, a breakglass, auto-sync disabled or removed by a pause, Flux suspend. Undefined when running. */
function pauseOf(a: ForecastApp): Omit<RevertForecast, 'when'> | undefined {
  const s = a.state;
  const bg = s.breakglass?.active ? s.breakglass : undefined;
  const who = pausedBy(a.liveApp);
  if (s.controller === 'argo' && s.skipReconcile) {
    return { rule: `${SKIP_RECONCILE_ANNOTATION}: "true"`, reason: 'Argo CD skips this app entirely (skip-reconcile): kept until the annotation is removed', ...(who ? { by: who.user } : {}) };
  }
  const paused = s.controller === 'argo' ? s.autoSync === 'paused' || (bg !== undefined && s.autoSync !== 'on') : s.controller === 'flux' ? !!s.suspended : false;
  if (!paused) return undefined;
  if (bg) {
    const expiry = bg.expired ? `expired ${bg.expires} — End Breakglass resumes` : `expires ${bg.expires}`;
    return {
      rule: 'gitops-drift.dev/breakglass',
      reason: `breakglass by ${bg.user}: ${bg.reason}${bg.ticket ? ` (${bg.ticket})` : ''}; kept while paused (${expiry})`,
      by: bg.user,
      until: bg.expires,
    };
  }
  if (s.controller === 'flux') {
    return { rule: 'spec.suspend: true', reason: `Flux ${a.liveApp?.kind === 'HelmRelease' ? 'HelmRelease' : 'Kustomization'} suspended${who ? ` by ${who.user}` : ''}: kept while suspended`, ...(who ? { by: who.user } : {}) };
  }
  const removed = !get(a.liveApp, 'spec', 'syncPolicy', 'automated') && a.liveApp?.metadata?.annotations?.[PAUSED_AUTOMATED_ANNOTATION];
  return {
    rule: removed ? `spec.syncPolicy.automated removed (settings kept in ${PAUSED_AUTOMATED_ANNOTATION})` : 'spec.syncPolicy.automated.enabled: false',
    reason: `auto-sync paused${who ? ` by ${who.user}` : ''}: kept while paused (a manual sync still reverts it)`,
    ...(who ? { by: who.user } : {}),
  };
}

const NOT_OWNED = (controller: string): Omit<RevertForecast, 'when'> => ({
  rule: `not in Git, not owned by ${controller}'s apply`,
  reason: `${controller} does not manage this field, so it stays live — and is lost if the object is ever recreated`,
  lostIfRecreated: true,
});

/** A HelmRelease's `spec.driftDetection.mode`: `disabled` (Flux's default), `warn` or `enabled`. */
function helmDriftMode(liveApp: KubeObject | undefined): string {
  const m = get(liveApp, 'spec', 'driftDetection', 'mode');
  return typeof m === 'string' && m !== '' ? m : 'disabled';
}

/**
 * helm-controller: drift is corrected only with `driftDetection.mode: enabled` (then at each reconcile, except the
 * `driftDetection.ignore` paths and fields the release manifest does not set); otherwise a live edit stays until
 * the next upgrade, which a chart or values change in Git (or a forced reconcile) triggers.
 */
function helmReleaseChange(a: ForecastApp, diff: ResourceDiff, change: FieldChange, now: Date): RevertForecast {
  const rules = get(a.liveApp, 'spec', 'driftDetection', 'ignore') as { paths?: string[]; target?: Record<string, string> }[] | undefined;
  const ignored = Array.isArray(rules) ? matchIgnore(rules, diff, change) : undefined;
  if (ignored) return { when: 'never', rule: `spec.driftDetection.ignore: ${ignored}`, reason: `the HelmRelease's drift detection ignores ${ignored}` };
  if (change.category === 'live-only') return { when: 'never', ...NOT_OWNED('helm-controller') };
  const paused = pauseOf(a);
  if (paused) return { when: 'while-paused', ...paused };
  const mode = helmDriftMode(a.liveApp);
  if (mode !== 'enabled') {
    return { when: 'next-sync', rule: `spec.driftDetection.mode: ${mode}`, reason: `helm-controller does not correct drift (${mode === 'warn' ? 'it only reports it' : 'drift detection is off'}): kept until the next Helm upgrade (a chart or values change)` };
  }
  const next = fluxNextReconcile(a.liveApp, now);
  return {
    when: 'next-reconcile',
    ...(next.at ? { at: next.at } : {}),
    rule: 'spec.driftDetection.mode: enabled',
    reason: `helm-controller corrects drift at the next reconcile${next.last ? ` (last ${next.last} + ${next.interval})` : ''}`,
  };
}

/** Forecast of one changed field of a resource of the app. */
export function forecastChange(a: ForecastApp, diff: ResourceDiff, change: FieldChange, now: Date = new Date()): RevertForecast {
  const s = a.state;
  if (s.controller === 'none') {
    return { when: 'never', rule: 'no GitOps controller', reason: 'no Argo CD or Flux object manages this app: nothing reverts it', ...(change.category === 'live-only' ? { lostIfRecreated: true } : {}) };
  }
  if (s.controller === 'flux' && a.liveApp?.kind === 'HelmRelease') return helmReleaseChange(a, diff, change, now);
  if (s.controller === 'flux') {
    const excluded = fluxExclusion(diff);
    if (excluded) return { when: 'never', ...excluded };
    const ignored = fluxIgnored(a.liveApp, diff, change);
    if (ignored) return { when: 'never', rule: `spec.ignore: ${ignored}`, reason: `the Kustomization's ignore rule ${ignored} leaves this field out of drift correction` };
    if (change.category === 'live-only' && (!fluxTakesOver(change.manager) || fluxSsaMerge(diff))) {
      return { when: 'never', ...NOT_OWNED('kustomize-controller'), ...(fluxSsaMerge(diff) ? { rule: `${SSA_ANNOTATION}: Merge` } : {}) };
    }
    const paused = pauseOf(a);
    if (paused) return { when: 'while-paused', ...paused };
    const next = fluxNextReconcile(a.liveApp, now);
    const takeover = change.category === 'live-only';
    return {
      when: 'next-reconcile',
      ...(next.at ? { at: next.at } : {}),
      rule: takeover ? `spec.interval: ${next.interval ?? '?'} (kubectl* fields handed over to kustomize-controller)` : `spec.interval: ${next.interval ?? '?'}`,
      reason:
        (takeover
          ? `kustomize-controller takes over fields written by ${change.manager} and removes them at the next reconcile`
          : 'kustomize-controller re-applies Git at the next reconcile') +
        (next.last ? ` (last ${next.last} + ${next.interval})` : '') +
        (next.failing ? `; the last reconcile failed (${next.failing}): reverted once it succeeds` : ''),
    };
  }
  // Argo CD
  if (change.category === 'live-only') return { when: 'never', ...NOT_OWNED('argocd-controller') };
  const paused = pauseOf(a);
  if (paused) return { when: 'while-paused', ...paused };
  if (s.autoSync !== 'on') {
    return { when: 'next-sync', rule: 'no spec.syncPolicy.automated', reason: 'manual sync only: kept until someone syncs the app' };
  }
  if (!s.selfHeal) {
    return { when: 'next-sync', rule: 'spec.syncPolicy.automated without selfHeal', reason: 'auto-sync applies new Git commits only: kept until the next commit or a manual sync' };
  }
  return {
    when: 'next-reconcile',
    at: argoNextReconcile(a.liveApp, now),
    rule: 'spec.syncPolicy.automated.selfHeal: true',
    reason: 'Argo CD self-heal re-applies Git at the next reconcile, within the reconciliation timeout (default 3 min; sooner after a refresh)',
  };
}

/** Forecast of a whole resource that is missing live (created) or live only (pruned); undefined for others. */
export function forecastResource(a: ForecastApp, diff: ResourceDiff, now: Date = new Date()): RevertForecast | undefined {
  if (diff.status !== 'ExtraLive' && diff.status !== 'MissingLive') return undefined;
  const s = a.state;
  const extra = diff.status === 'ExtraLive';
  if (s.controller === 'none') return { when: 'never', rule: 'no GitOps controller', reason: 'no Argo CD or Flux object manages this app' };
  if (s.controller === 'flux' && a.liveApp?.kind === 'HelmRelease') {
    // Helm deletes only what the previous release manifest had; an object it never installed stays.
    if (extra) return { when: 'never', rule: 'not in the release manifest', reason: 'helm-controller only removes objects of the previous release: the object stays' };
    const paused = pauseOf(a);
    if (paused) return { when: 'while-paused', ...paused };
    const mode = helmDriftMode(a.liveApp);
    if (mode !== 'enabled') return { when: 'next-sync', rule: `spec.driftDetection.mode: ${mode}`, reason: 'helm-controller does not correct drift: created at the next Helm upgrade (a chart or values change)' };
    const next = fluxNextReconcile(a.liveApp, now);
    return { when: 'next-reconcile', ...(next.at ? { at: next.at } : {}), rule: 'spec.driftDetection.mode: enabled', reason: 'helm-controller recreates it at the next reconcile (drift detection on)' };
  }
  if (s.controller === 'flux') {
    const excluded = fluxExclusion(diff);
    if (excluded) return { when: 'never', ...excluded };
    if (extra && diff.live?.metadata?.annotations?.[PRUNE_ANNOTATION] === 'Disabled') return { when: 'never', rule: `${PRUNE_ANNOTATION}: Disabled`, reason: 'Flux never garbage-collects this object' };
    if (extra && get(a.liveApp, 'spec', 'prune') !== true) return { when: 'never', rule: 'spec.prune: false', reason: 'the Kustomization does not prune: the object stays' };
    const paused = pauseOf(a);
    if (paused) return { when: 'while-paused', ...paused };
    const next = fluxNextReconcile(a.liveApp, now);
    return {
      when: extra ? 'pruned' : 'next-reconcile',
      ...(next.at ? { at: next.at } : {}),
      rule: extra ? 'spec.prune: true' : `spec.interval: ${next.interval ?? '?'}`,
      reason: extra ? 'deleted at the next reconcile (prune: true)' : 'created at the next reconcile',
    };
  }
  const paused = pauseOf(a);
  if (paused) return { when: 'while-paused', ...paused };
  const automated = get(a.liveApp, 'spec', 'syncPolicy', 'automated');
  if (extra) {
    if (s.autoSync !== 'on') return { when: 'next-sync', rule: 'no spec.syncPolicy.automated', reason: 'deleted only by a sync with Prune: kept until then' };
    if (automated?.prune !== true) return { when: 'never', rule: 'spec.syncPolicy.automated.prune: false', reason: 'auto-sync does not prune: kept (a manual sync with Prune deletes it)' };
    if (!s.selfHeal) return { when: 'next-sync', rule: 'spec.syncPolicy.automated.prune: true (without selfHeal)', reason: 'deleted at the next auto-sync (the next Git commit) or a sync with Prune' };
    return { when: 'pruned', at: argoNextReconcile(a.liveApp, now), rule: 'spec.syncPolicy.automated.prune: true + selfHeal', reason: 'deleted at the next reconcile (auto-sync with prune and self-heal)' };
  }
  if (s.autoSync !== 'on') return { when: 'next-sync', rule: 'no spec.syncPolicy.automated', reason: 'created by the next sync' };
  if (!s.selfHeal) return { when: 'next-sync', rule: 'spec.syncPolicy.automated without selfHeal', reason: 'created at the next auto-sync (the next Git commit) or a manual sync' };
  return { when: 'next-reconcile', at: argoNextReconcile(a.liveApp, now), rule: 'spec.syncPolicy.automated.selfHeal: true', reason: 'created again by self-heal at the next reconcile' };
}

/** Forecasts of every change of a resource, in the order of `diff.changes`, plus the resource's own. */
export function forecastDiff(a: ForecastApp, diff: ResourceDiff, now: Date = new Date()): { resource?: RevertForecast; changes: RevertForecast[] } {
  return { resource: forecastResource(a, diff, now), changes: diff.changes.map((c) => forecastChange(a, diff, c, now)) };
}
