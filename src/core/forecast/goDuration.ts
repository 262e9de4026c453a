// Go `time.Duration` strings as Flux writes them in `spec.interval` (`10m`, `1m30s`, `1h0m0s`, `500ms`).

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when absent or not a Go duration. */
export function parseGoDuration(d: unknown): number | undefined {
  if (typeof d !== 'string' || !d) return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(d); m; m = re.exec(d)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  return pos === d.length && pos > 0 ? total : undefined;
}
