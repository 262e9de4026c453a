// Where each field's forecast goes in a side of the diff editor: the line of the field in that side's YAML.
import type { FieldChange, ResourceDiff } from '../model';
import { toYamlPath } from '../engine/sourceAnnotations';
import { lineFinder } from '../yaml/lineOfPath';
import type { ForecastApp, RevertForecast } from './revertForecast';
import { forecastDiff } from './revertForecast';

export interface ForecastAnchor {
  /** 1-based line in the side's text. */
  line: number;
  change?: FieldChange;
  forecast: RevertForecast;
}

/**
 * One anchor per changed field (at its line, or its nearest ancestor's), plus the resource's own forecast at line 1
 * for an object missing live or pruned. `text` is one YAML document (a diff editor side).
 */
export function forecastAnchors(text: string, app: ForecastApp, diff: ResourceDiff, now: Date = new Date()): ForecastAnchor[] {
  const f = forecastDiff(app, diff, now);
  const out: ForecastAnchor[] = [];
  if (f.resource) out.push({ line: 1, forecast: f.resource });
  if (!diff.changes.length) return out;
  let lineOf: ReturnType<typeof lineFinder>;
  try {
    lineOf = lineFinder(text);
  } catch {
    return out;
  }
  diff.changes.forEach((change, i) => {
    const segs = toYamlPath(change.path) ?? [];
    const line = lineOf(0, segs) ?? lineOf(0, segs, { nearest: true }) ?? 1;
    out.push({ line, change, forecast: f.changes[i] });
  });
  return out.sort((a, b) => a.line - b.line);
}
