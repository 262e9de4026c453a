// The app-level answer to "will the controller undo a live edit here?": the forecast of a field Git sets, on an
// object without Flux exclusions (the `apps` listing; per-field forecasts refine it).
import type { ResourceDiff } from '../model';
import { forecastChange, type ForecastApp, type RevertForecast } from './revertForecast';

export function appForecast(app: ForecastApp, now: Date = new Date()): RevertForecast {
  const diff: ResourceDiff = { ref: { group: '', kind: '', namespace: '', name: '' }, status: 'Modified', changes: [] };
  return forecastChange(app, diff, { path: 'spec', category: 'modified' }, now);
}
