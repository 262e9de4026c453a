// When two values count as equal although their bytes differ (N6, N7, N8, N9, N13, N19).
import { isObject } from '../k8s/json';
import { durationsEqual } from './duration';
import { formatAt } from '../k8s/listKeys';
import type { SchemaSources } from '../schema/fieldSchema';
import { builtinSchema } from '../schema/builtinSchema';
import { isConfiguredQuantityPath, quantitiesEqual } from './quantity';

export interface EquivalenceContext {
  group: string;
  kind: string;
  quantityPaths?: string[];
  durationPaths?: string[];
  /** Schemas besides the built-in snapshot (a cluster's OpenAPI, CRDs), consulted first. */
  schemas?: SchemaSources;
}

/** metav1.Time: same instant (the server stores RFC 3339 in seconds; `Z` and `+00:00` are the same). */
function timesEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Date.parse(a);
  const y = Date.parse(b);
  return !Number.isNaN(x) && x === y;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** N7: Secret data compared by decoded bytes; values that are not valid base64 are compared raw. */
export function secretValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'string' || typeof b !== 'string' || !BASE64.test(a) || !BASE64.test(b)) return false;
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

/** N6: values Go's omitempty never stores, so "set to zero" and "absent" look the same live. */
export function isZeroScalar(v: unknown): boolean {
  return v === false || v === 0 || v === '';
}

/**
 * Scalar equality at a schema path. N9: numbers by value (1 == 1.0 in JSON), never string↔number.
 * N19: typed comparisons only apply when both sides parse, otherwise plain equality.
 */
export function scalarsEqual(path: string[], a: unknown, b: unknown, ctx: EquivalenceContext): boolean {
  if (a === b) return true;
  if (ctx.group === '' && ctx.kind === 'Secret' && path.length === 2 && path[0] === 'data') return secretValuesEqual(a, b);
  const format = formatAt(ctx.group, ctx.kind, path, ctx.schemas);
  // int-or-string keeps its type on the server: 80 and "80" differ, so only the formats below compare by value.
  // Quantities only where the server canonicalizes them (built-in kinds: `1024Mi` is stored as `1Gi`); a custom
  // resource keeps the string it was given, so an apply of another spelling does change it (ground truth).
  if (((format === 'quantity' && builtinSchema().has(ctx.group, ctx.kind)) || isConfiguredQuantityPath(path, ctx.quantityPaths)) && quantitiesEqual(a, b)) return true;
  if ((format === 'duration' || ctx.durationPaths?.includes(path.join('.'))) && durationsEqual(a, b)) return true;
  if (format === 'date-time' && timesEqual(a, b)) return true;
  return false;
}

/** Deep equivalence with list order significant (lists are compared by the caller when order may not matter). */
export function deepEquivalent(path: string[], a: unknown, b: unknown, ctx: EquivalenceContext): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEquivalent(path, x, b[i], ctx));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEquivalent([...path, k], a[k], b[k], ctx)) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) return false;
  return scalarsEqual(path, a, b, ctx);
}

/** `d` ⊆ `l`: every field of d is present and equivalent in l (N6: zero in d may be absent in l). */
export function isSubset(path: string[], d: unknown, l: unknown, ctx: EquivalenceContext): boolean {
  if (d === undefined) return true;
  if (Array.isArray(d)) return Array.isArray(l) && d.length === l.length && d.every((x, i) => isSubset(path, x, l[i], ctx));
  if (isObject(d)) {
    if (!isObject(l)) return false;
    return Object.entries(d).every(([k, v]) => (l[k] === undefined && isZeroScalar(v)) || isSubset([...path, k], v, l[k], ctx));
  }
  return !Array.isArray(l) && !isObject(l) && l !== undefined && scalarsEqual(path, d, l, ctx);
}
