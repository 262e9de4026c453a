// Plain-JSON helpers of the emulator (its own copies: the emulator must not share code with the product it tests).

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy with JSON semantics (what a JSON round-trip gives): `undefined` fields dropped, `undefined` or
 * non-finite array items and non-finite numbers become `null`, `toJSON` honoured (YAML timestamps are Dates).
 */
export function clone<T>(v: T): T {
  return v === undefined ? v : (copy(v) as T);
}

function copy(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (typeof v !== 'object' || v === null) return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return copy((v as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(v)) return v.map((x) => copy(x) ?? null);
  const out: JsonObject = {};
  for (const k of Object.keys(v)) {
    const c = copy((v as JsonObject)[k]);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * JSON with recursively sorted keys (Go's encoding/json sorts map keys the same way for ASCII keys). Keys are
 * sorted by UTF-16 code units; integer-like keys are not special-cased because the output is built as a string.
 */
export function canonicalJson(v: unknown): string {
  const s = canonical(v);
  return s === undefined ? (undefined as unknown as string) : s;
}

function canonical(v: unknown): string | undefined {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return canonical((v as { toJSON: () => unknown }).toJSON());
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) as string | undefined;
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const k of Object.keys(v).sort()) {
    const c = canonical((v as JsonObject)[k]);
    if (c !== undefined) parts.push(`${JSON.stringify(k)}:${c}`);
  }
  return `{${parts.join(',')}}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A copy with object keys sorted recursively, as Go's encoding/json writes map[string]interface{} (the real server's
 * custom resources). JS objects list integer-like keys first in numeric order whatever the insertion order, so such
 * keys ("9", "10") cannot follow Go's byte order.
 */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep((v as JsonObject)[k]) as JsonObject[string];
  return out;
}
