// The one parser for the durations people type: breakglass expiry (editor and CLI) and the CLI's --timeout.
// `90s`, `30m`, `2min`, `1.5h`, `1h30m`, `4 hours`, `1d`; a bare number is in `defaultUnit`.

const UNIT_MS: Record<string, number> = {
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Milliseconds of a typed duration, or undefined when it is not one (or not positive). */
export function parseTimeSpan(input: string, defaultUnit: 's' | 'm' = 'm'): number | undefined {
  const s = input.trim().toLowerCase();
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const ms = Number(s) * UNIT_MS[defaultUnit];
    return ms > 0 ? ms : undefined;
  }
  const re = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)/y;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const unit = UNIT_MS[m[2]];
    if (!unit) return undefined;
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  if (pos !== s.length || !(total > 0)) return undefined;
  return total;
}
