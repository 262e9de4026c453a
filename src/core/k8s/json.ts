// Plain-JSON helpers shared by the schema, fieldsV1 and diff code.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reading untyped manifests without trusting their shape: the value as a mapping, else an empty one. */
export const asObj = (v: unknown): JsonObject => (isObject(v) ? v : {});

/** The value when it is a non-empty string, else undefined. */
export const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Deep copy with JSON semantics (what a JSON round-trip gives) without the string in between, which made it
 * the hottest step of the diff: `undefined` fields dropped, `undefined`/non-finite array items and non-finite
 * numbers become `null`, `toJSON` honoured (YAML 1.1 timestamps are Dates).
 */
export function clone<T>(v: T): T {
  return v === undefined ? v : (copyJson(v) as T);
}

function copyJson(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (typeof v !== 'object' || v === null) return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return copyJson((v as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = copyJson(v[i]);
      out[i] = c === undefined ? null : c;
    }
    return out;
  }
  const out: JsonObject = {};
  for (const k of Object.keys(v)) {
    const c = copyJson((v as JsonObject)[k]);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * JSON with recursively sorted keys: the byte form every peer compares. Written directly (no sorted copy to
 * stringify); integer-like keys come first in numeric order, as in any JS object built from sorted keys.
 */
export function canonicalJson(v: unknown): string {
  return v === undefined ? (undefined as unknown as string) : (canonical(v) ?? (undefined as unknown as string));
}

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;
const isIndexKey = (k: string): boolean => INDEX_KEY.test(k) && Number(k) < 4294967295;

function canonical(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) as string | undefined;
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += `${i ? ',' : ''}${canonical(v[i]) ?? 'null'}`;
    return `${s}]`;
  }
  let keys = Object.keys(v).sort();
  if (keys.some(isIndexKey)) keys = [...keys.filter(isIndexKey).sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !isIndexKey(k))];
  let s = '{';
  for (const k of keys) {
    if (k === '__proto__') continue; // a sorted copy would have set its prototype instead
    const c = canonical((v as JsonObject)[k]);
    if (c !== undefined) s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${c}`;
  }
  return `${s}}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
