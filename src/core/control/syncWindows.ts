// Argo CD sync windows (AppProject `spec.syncWindows`, issue 17.13): which windows apply to an Application and
// whether a manual sync or an automated one (after a resume) may run now, with the semantics of Argo CD's
// `SyncWindows.Matches(app).CanSync(isManual)` (pkg/apis/application/v1alpha1/types.go).
import { isGitOpsError, type KubeObject } from '../model';
import type { KubeClient } from '../kube/types';
import { DEFAULT_ARGO_NAMESPACE } from '../kube/tracking';
import { APPLICATION } from './constants';
import { lastFiring, nextFiring, parseCron } from './cron';

export interface SyncWindow {
  kind: string;
  schedule: string;
  duration: string;
  applications?: string[];
  namespaces?: string[];
  clusters?: string[];
  manualSync?: boolean;
  timeZone?: string;
  andOperator?: boolean;
  description?: string;
}

/** The parts of an Application a window matches on. */
export interface WindowSubject {
  name: string;
  /** spec.destination.namespace */
  namespace?: string;
  /** spec.destination.server / spec.destination.name */
  server?: string;
  cluster?: string;
}

export interface WindowState {
  window: SyncWindow;
  active: boolean;
  /** Active: when it opened and when it closes (real time). */
  start?: Date;
  end?: Date;
  /** Inactive: when it opens next (within a week), real time. */
  nextStart?: Date;
  /** A window whose schedule or duration does not parse: Argo CD ignores it (and logs). */
  error?: string;
}

export interface SyncWindowVerdict {
  project?: string;
  /** The windows that match the app. */
  windows: WindowState[];
  activeDeny: WindowState[];
  activeAllow: WindowState[];
  /** May a manual sync (what this tool requests) run now? */
  manualAllowed: boolean;
  /** May an automated sync (after a resume) run now? */
  autoAllowed: boolean;
  /** Why not, or what allows it: lines for a prompt's detail. Empty when no window matters now. */
  explanation: string[];
  /** The windows could not be checked (project unreadable): said, never blocking. */
  note?: string;
}

/** A Go duration (`1h`, `30m`, `1h30m`, `90s`, `1.5h`, `300ms`) in milliseconds, or undefined. */
export function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const text = s.trim();
  if (!text) return undefined;
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  return pos === text.length ? total : undefined;
}

/** Argo CD's glob (gobwas, no separators): `*` any run of characters, `?` one, `[…]` a class, `{a,b}` alternatives. */
export function globMatch(pattern: string, text: string): boolean {
  let re = '';
  let inClass = false;
  let braces = 0;
  for (const ch of pattern) {
    if (inClass) {
      re += ch === '\\' ? '\\\\' : ch === '!' && re.endsWith('[') ? '^' : ch;
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      re += '[';
      inClass = true;
    } else if (ch === '{') {
      re += '(?:';
      braces++;
    } else if (ch === '}' && braces) {
      re += ')';
      braces--;
    } else if (ch === ',' && braces) re += '|';
    else re += ch.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, 's').test(text);
  } catch {
    return pattern === text;
  }
}

/** Does the window apply to the app (any of its lists matches, or all of the given lists with `andOperator`)? */
export function windowMatches(w: SyncWindow, app: WindowSubject): boolean {
  const any = (globs: string[] | undefined, ...values: (string | undefined)[]) => !!globs?.some((g) => values.some((v) => v !== undefined && globMatch(g, v)));
  const checks: boolean[] = [];
  if (w.applications?.length) checks.push(any(w.applications, app.name));
  if (w.namespaces?.length) checks.push(any(w.namespaces, app.namespace));
  if (w.clusters?.length) checks.push(any(w.clusters, app.server, app.cluster));
  if (!checks.length) return false;
  return w.andOperator ? checks.every(Boolean) : checks.some(Boolean);
}

/** Offset of a time zone from UTC at `at`, in ms (0 for UTC, an empty or an unknown zone, as Argo CD does). */
export function timeZoneOffsetMs(timeZone: string | undefined, at: Date): number {
  if (!timeZone || timeZone === 'UTC') return 0;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return wall - Math.floor(at.getTime() / 1000) * 1000;
  } catch {
    return 0;
  }
}

const WEEK = 7 * 24 * 3_600_000;

export function windowState(w: SyncWindow, now: Date): WindowState {
  let schedule;
  try {
    schedule = parseCron(w.schedule ?? '');
  } catch (e) {
    return { window: w, active: false, error: (e as Error).message };
  }
  const duration = parseGoDuration(w.duration ?? '');
  if (duration === undefined) return { window: w, active: false, error: `duration "${w.duration}" is not a Go duration (e.g. 1h, 30m)` };
  const offset = timeZoneOffsetMs(w.timeZone, now);
  const wallNow = new Date(now.getTime() + offset);
  // Durations beyond a year are searched over a year: a window that long is open whenever it fired in it.
  const fired = lastFiring(schedule, wallNow, Math.min(duration, 366 * 24 * 3_600_000));
  if (fired) return { window: w, active: true, start: new Date(fired.getTime() - offset), end: new Date(fired.getTime() + duration - offset) };
  const next = nextFiring(schedule, wallNow, WEEK);
  return { window: w, active: false, ...(next ? { nextStart: new Date(next.getTime() - offset) } : {}) };
}

const describeWindow = (s: WindowState): string => {
  const w = s.window;
  const where = [w.applications?.length ? `applications ${w.applications.join(', ')}` : '', w.namespaces?.length ? `namespaces ${w.namespaces.join(', ')}` : '', w.clusters?.length ? `clusters ${w.clusters.join(', ')}` : ''].filter(Boolean).join(w.andOperator ? ' and ' : ' or ');
  return `${w.kind} window "${w.schedule}" for ${w.duration}${w.timeZone ? ` (${w.timeZone})` : ' (UTC)'}${where ? `, ${where}` : ''}${w.description ? ` — ${w.description}` : ''}`;
};

const fmt = (d: Date | undefined) => (d ? d.toISOString().replace(/:\d\d\.\d+Z$/, 'Z') : '?');

export function evaluateSyncWindows(windows: SyncWindow[], app: WindowSubject, now: Date, project?: string): SyncWindowVerdict {
  const states = windows.filter((w) => windowMatches(w, app)).map((w) => windowState(w, now));
  const valid = states.filter((s) => !s.error);
  const activeDeny = valid.filter((s) => s.active && s.window.kind === 'deny');
  const activeAllow = valid.filter((s) => s.active && s.window.kind === 'allow');
  const inactiveAllow = valid.filter((s) => !s.active && s.window.kind === 'allow');
  let manualAllowed = true;
  let autoAllowed = true;
  const explanation: string[] = [];
  const inProject = project ? ` of AppProject ${project}` : '';
  if (activeDeny.length) {
    autoAllowed = false;
    // Argo CD: a manual sync passes only when every active deny window allows manual syncs.
    manualAllowed = activeDeny.every((s) => s.window.manualSync === true);
    for (const s of activeDeny) explanation.push(`Active ${describeWindow(s)}${inProject}: syncs are denied until ${fmt(s.end)}.`);
    explanation.push(manualAllowed ? 'Manual syncs are allowed in this window (manualSync: true); automated syncs wait until it ends.' : 'Manual syncs are denied too (manualSync is not set).');
  } else if (!activeAllow.length && inactiveAllow.length) {
    autoAllowed = false;
    manualAllowed = inactiveAllow.some((s) => s.window.manualSync === true);
    const next = inactiveAllow.map((s) => s.nextStart).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
    explanation.push(`Outside every allow window${inProject} (${inactiveAllow.map(describeWindow).join('; ')}): syncs are denied${next ? ` until ${fmt(next)}` : ''}.`);
    explanation.push(manualAllowed ? 'Manual syncs are allowed (an allow window has manualSync: true); automated syncs wait for the next allow window.' : 'Manual syncs are denied too (no allow window has manualSync).');
  }
  for (const s of states.filter((x) => x.error)) explanation.push(`Ignored ${describeWindow(s)}: ${s.error}.`);
  return { project, windows: states, activeDeny, activeAllow, manualAllowed, autoAllowed, explanation };
}

/** The parts of an Application a window matches on. */
export function windowSubjectOf(app: KubeObject): WindowSubject {
  const d = ((app.spec as { destination?: { namespace?: string; server?: string; name?: string } } | undefined)?.destination ?? {});
  return { name: app.metadata.name ?? '', namespace: d.namespace, server: d.server, cluster: d.name };
}

/**
 * Reads the app's AppProject (in the app's namespace, else Argo CD's) and evaluates its windows. A project that
 * cannot be read gives a verdict that allows and says why in the explanation, so a missing read permission never
 * blocks an action, but is not silent either.
 */
export async function syncWindowVerdict(client: KubeClient, app: KubeObject, now: Date, signal?: AbortSignal): Promise<SyncWindowVerdict> {
  const project = ((app.spec as { project?: string } | undefined)?.project || 'default') as string;
  const namespaces = [...new Set([app.metadata.namespace ?? DEFAULT_ARGO_NAMESPACE, DEFAULT_ARGO_NAMESPACE])];
  let projectObj: KubeObject | undefined;
  let why: string | undefined;
  for (const ns of namespaces) {
    try {
      projectObj = await client.get({ group: APPLICATION.group, version: APPLICATION.version, kind: 'AppProject', namespace: ns, name: project }, signal);
      break;
    } catch (e) {
      if (signal?.aborted) throw e;
      if (!(isGitOpsError(e) && (e.reason === 'notFound' || e.reason === 'forbidden'))) throw e;
      why = e.reason === 'forbidden' ? `reading AppProject ${project} is forbidden` : `AppProject ${project} was not found`;
      if (e.reason === 'forbidden') break;
    }
  }
  if (!projectObj) return { project, windows: [], activeDeny: [], activeAllow: [], manualAllowed: true, autoAllowed: true, explanation: [], note: `sync windows not checked: ${why ?? 'no project'}` };
  const raw = (projectObj.spec as { syncWindows?: unknown } | undefined)?.syncWindows;
  const windows = Array.isArray(raw) ? (raw.filter((w) => w && typeof w === 'object') as SyncWindow[]) : [];
  return evaluateSyncWindows(windows, windowSubjectOf(app), now, project);
}
