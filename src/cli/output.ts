// The CLI's JSON shape (documented in the README) and its text rendering.
import type { AppDrift, DriftSnapshot } from '../core/engine/driftTypes';
import type { DriftSummary, ResourceDiff } from '../core/model';
import { summarize } from '../core/diff/summarize';
import { appOutsideWorkspace } from './appSource';
import { forecastChange, forecastResource, type ForecastApp, type RevertForecast } from '../core/forecast/revertForecast';
import { forecastLabel } from '../core/forecast/describeForecast';

export interface JsonResource {
  group: string;
  version?: string;
  kind: string;
  namespace: string;
  name: string;
  app?: string;
  context?: string;
  status: ResourceDiff['status'];
  reason?: string;
  /** How the verdict was reached: offline prediction or the API server's dry run. */
  mode?: ResourceDiff['mode'];
  changes: { path: string; category: string; desired?: unknown; live?: unknown; manager?: string; time?: string; revert?: RevertForecast }[];
  source?: { file: string; line: number };
  /** Missing live (created) or prune candidate (deleted): what the controller does with the whole object. */
  revert?: RevertForecast;
}

export interface JsonReport {
  resources: JsonResource[];
  summary: DriftSummary;
  errors?: { context?: string; app?: string; reason: string; message: string }[];
}

/** `app`: the app the resource belongs to; its live state gives each change a revert forecast. */
export function toJsonResource(d: ResourceDiff, context?: string, app?: ForecastApp, now: Date = new Date()): JsonResource {
  const resourceRevert = app ? forecastResource(app, d, now) : undefined;
  return {
    group: d.ref.group,
    version: d.ref.version,
    kind: d.ref.kind,
    namespace: d.ref.namespace,
    name: d.ref.name,
    app: d.app,
    context,
    status: d.status,
    reason: d.reason,
    mode: d.mode,
    changes: d.changes.map((c) => ({ path: c.path, category: c.category, desired: c.desired, live: c.live, manager: c.manager, time: c.time, ...(app ? { revert: forecastChange(app, d, c, now) } : {}) })),
    source: d.source ? { file: d.source.file, line: d.source.startLine } : undefined,
    ...(resourceRevert ? { revert: resourceRevert } : {}),
  };
}

/**
 * `workspace`: the folder searched and its remotes. With `appFilter`, an app whose live source is another repository
 * (nothing matching rendered here) gets one message saying so, instead of the errors of same-named definitions.
 */
export function reportOf(snap: DriftSnapshot, appFilter?: string, opts: { workspace?: { dir: string; remotes: string[] }; now?: Date } = {}): JsonReport {
  const now = opts.now ?? new Date();
  const resources: JsonResource[] = [];
  const errors: NonNullable<JsonReport['errors']> = [];
  const all: ResourceDiff[] = [];
  for (const c of snap.clusters) {
    if (c.error) errors.push({ context: c.context, reason: c.error.reason, message: c.error.message });
    const matches = (a: AppDrift) => !appFilter || a.app.name === appFilter || a.app.id === appFilter;
    const outside = appFilter && opts.workspace ? appOutsideWorkspace(c.apps.filter(matches), opts.workspace.dir, opts.workspace.remotes) : undefined;
    if (outside) {
      errors.push({ context: c.context, app: appFilter, reason: 'notFound', message: outside });
      continue;
    }
    for (const a of c.apps) {
      if (!matches(a)) continue;
      for (const e of a.errors) errors.push({ context: c.context, app: a.app.name, reason: e.reason, message: e.message });
      for (const r of a.resources) {
        resources.push(toJsonResource(r, c.context, a, now));
        all.push(r);
      }
    }
  }
  return { resources, summary: summarize(all), errors: errors.length ? errors : undefined };
}

function val(v: unknown): string {
  if (v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const m = Math.round((now.getTime() - Date.parse(iso)) / 60000);
  return m < 1 ? 'just now' : m < 120 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

/** `↩ reverted at the next reconcile (~12:02 UTC, in 2 min): Argo CD self-heal … [rule]`. */
function revertLine(f: RevertForecast, now: Date): string {
  return `=> ${forecastLabel(f, now)}: ${f.reason} [${f.rule}]`;
}

export function formatText(report: JsonReport, opts: { all?: boolean; now?: Date } = {}): string {
  const now = opts.now ?? new Date();
  const lines: string[] = [];
  for (const r of report.resources) {
    if (r.status === 'Synced' && !opts.all) continue;
    const id = `${r.kind}/${r.namespace ? r.namespace + '/' : ''}${r.name}`;
    lines.push(`${r.status.padEnd(11)} ${id}${r.app ? `  (app ${r.app}${r.context ? ` @ ${r.context}` : ''})` : ''}${r.reason ? `: ${r.reason}` : ''}`);
    for (const c of r.changes) {
      const who = c.manager ? `  [${c.manager}${c.time ? `, ${ago(c.time, now)}` : ''}]` : '';
      lines.push(`  ${c.category.padEnd(9)} ${c.path}: ${val(c.desired)} -> ${val(c.live)}${who}`);
      if (c.revert) lines.push(`            ${revertLine(c.revert, now)}`);
    }
    if (r.revert) lines.push(`  forecast  ${revertLine(r.revert, now)}`);
    if (r.source) lines.push(`  source    ${r.source.file}:${r.source.line}`);
  }
  for (const e of report.errors ?? []) lines.push(`error       ${e.context ?? ''}${e.app ? `/${e.app}` : ''}: ${e.message}`);
  const s = report.summary;
  lines.push(`${s.synced} synced, ${s.modified} modified, ${s.missingLive} missing live, ${s.extraLive} extra live, ${s.unknown} unknown`);
  return lines.join('\n') + '\n';
}
