// The one call the Drift tree's resource tooltip makes: a heading and one line per drifted field.
import type { ResourceDiff } from '../model';
import { forecastTooltipLines } from './describeForecast';
import { forecastDiff, type ForecastApp } from './revertForecast';

/** Markdown lines ("**Will the controller revert it?**" then one per field); none for a Synced resource. */
export function resourceForecastLines(app: ForecastApp, diff: ResourceDiff, now: Date = new Date()): string[] {
  if (diff.status === 'Synced' || diff.status === 'Unknown') return [];
  const f = forecastDiff(app, diff, now);
  const lines = forecastTooltipLines(f, diff.changes.map((c) => c.path), now);
  return lines.length ? ['**Will the controller revert it?**', ...lines] : [];
}
