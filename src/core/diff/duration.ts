// metav1.Duration compared by value (N13): `8760h` == `8760h0m0s`, `90s` == `1m30s`.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds of a Go duration string, or undefined when it is not one. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (v === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const body = v.replace(/^[+-]/, '');
  let total = 0;
  let pos = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * UNIT_NS[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== body.length || pos === 0) return undefined;
  return v.startsWith('-') ? -total : total;
}

export function durationsEqual(a: unknown, b: unknown): boolean {
  const x = parseDuration(a);
  const y = parseDuration(b);
  return x !== undefined && y !== undefined && x === y;
}
