// Kubernetes resource.Quantity compared by exact value (N8): `1000m` == `1`, `1Gi` == `1024Mi`, 0.2 == `200m`.

const BINARY: Record<string, bigint> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** Exact rational value as [numerator, denominator], or undefined when not a quantity. */
export function parseQuantity(v: unknown): [bigint, bigint] | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (s === undefined) return undefined;
  const m = RE.exec(s);
  if (!m) return undefined;
  const [, sign, num, suffix, exp] = m;
  const [whole, frac = ''] = num.split('.');
  let n = BigInt((whole || '0') + frac) * (sign === '-' ? -1n : 1n);
  let d = 10n ** BigInt(frac.length);
  if (suffix && BINARY[suffix]) n *= BINARY[suffix];
  else {
    const e = suffix !== undefined ? DECIMAL[suffix] : exp !== undefined ? Number(exp) : 0;
    if (e >= 0) n *= 10n ** BigInt(e);
    else d *= 10n ** BigInt(-e);
  }
  return [n, d];
}

export function quantitiesEqual(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return !!x && !!y && x[0] * y[1] === y[0] * x[1];
}

/** Whether a dot path was configured to hold quantities (DiffOptions.quantityPaths, for CRDs without a schema). */
export function isConfiguredQuantityPath(path: string[], extra: string[] = []): boolean {
  if (extra.length === 0) return false;
  const dotted = path.join('.');
  return extra.some((p) => p === dotted || p === path.slice(0, -1).join('.'));
}
