// Revert forecasts: what the controller will do with each drifted field (issue 15).
export * from './revertForecast';
export * from './describeForecast';
export { parseGoDuration } from './goDuration';
export { resourceForecastLines } from './resourceForecastLines';
export { forecastAnchors, type ForecastAnchor } from './forecastAnchors';
