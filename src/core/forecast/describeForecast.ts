// Words for a revert forecast, shared by the hover, the tree tooltip, the diff editor and the CLI's text output.
import type { RevertForecast } from './revertForecast';

/** "in 2 min", "in 40 s", "now" (for a time at or before `now`). */
export function untilText(at: string, now: Date): string {
  const s = Math.round((Date.parse(at) - now.getTime()) / 1000);
  if (s <= 5) return 'any moment now';
  if (s < 90) return `in ${s} s`;
  if (s < 5400) return `in ${Math.round(s / 60)} min`;
  return `in ${Math.round(s / 3600)} h`;
}

/** `14:03 UTC`: the clock time people compare with their terminal (UTC, as Kubernetes writes times). */
function clock(at: string): string {
  return `${at.slice(11, 16)} UTC`;
}

/** The short verdict: "reverted at the next reconcile (~14:03 UTC, in 2 min)", "kept while paused", … */
export function forecastLabel(f: RevertForecast, now: Date = new Date()): string {
  const when = f.at ? ` (~${clock(f.at)}, ${untilText(f.at, now)})` : '';
  switch (f.when) {
    case 'next-reconcile':
      return `reverted at the next reconcile${when}`;
    case 'next-sync':
      return 'kept until the next sync';
    case 'while-paused':
      return f.until ? `kept while paused (breakglass expires ${clock(f.until)})` : 'kept while paused';
    case 'never':
      return f.lostIfRecreated ? 'not reverted (lost if the object is recreated)' : 'not reverted';
    case 'pruned':
      return `deleted at the next sync${when}`;
  }
}

/** One line: verdict — reason [rule]. */
export function forecastText(f: RevertForecast, now: Date = new Date()): string {
  return `${forecastLabel(f, now)} — ${f.reason} [${f.rule}]`;
}

/** A codicon for the verdict (hover, tree, CodeLens). */
export function forecastIcon(f: RevertForecast): string {
  switch (f.when) {
    case 'next-reconcile':
      return '$(history)';
    case 'next-sync':
      return '$(sync)';
    case 'while-paused':
      return '$(debug-pause)';
    case 'never':
      return '$(pin)';
    case 'pruned':
      return '$(trash)';
  }
}

/**
 * Markdown lines for a resource's tooltip: the resource's own forecast (created / pruned) and one line per changed
 * field (at most `max`), e.g. "$(history) `spec.replicas`: reverted at the next reconcile (~12:02 UTC, in 2 min)".
 */
export function forecastTooltipLines(forecast: { resource?: RevertForecast; changes: RevertForecast[] }, paths: string[], now: Date = new Date(), max = 12): string[] {
  const lines: string[] = [];
  if (forecast.resource) lines.push(`${forecastIcon(forecast.resource)} ${forecastLabel(forecast.resource, now)} — ${forecast.resource.reason}`);
  forecast.changes.slice(0, max).forEach((f, i) => lines.push(`${forecastIcon(f)} \`${paths[i]}\`: ${forecastLabel(f, now)} — ${f.reason}`));
  return lines;
}
