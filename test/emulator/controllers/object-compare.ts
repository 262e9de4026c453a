// Drift checks shared by the simulated controllers: "does live still carry every field Git declares?"
// Server defaults and fields added by others are ignored, but a list must match item for item, so an
// env var added live (or a replica count changed) is drift, as in Argo CD's diff and Flux's dry-run.

/**
 * Paths (dot form) where `desired` is not contained in `live`; empty when live matches.
 * mode 'exact': lists must match item for item. mode 'apply': what a server-side apply by the GitOps
 * manager would change: lists of objects are associative (items matched by key), so items other
 * managers added live are not drift (Argo CD's server-side diff ignores them too); scalar lists are atomic.
 */
export function driftPaths(desired: unknown, live: unknown, mode: 'exact' | 'apply' = 'exact', at = ''): string[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return [at || '.'];
    const associative = mode === 'apply' && desired.length > 0 && desired.every(isPlainObject);
    if (!associative) {
      if (live.length !== desired.length) return [at || '.'];
      return desired.flatMap((d, i) => driftPaths(d, live[i], mode, `${at}[${i}]`));
    }
    return desired.flatMap((d, i) => {
      const key = LIST_KEYS.find((k) => d[k] !== undefined);
      const match = key ? live.find((l) => isPlainObject(l) && sameScalar(l[key], d[key])) : live[i];
      return driftPaths(d, match, mode, key ? `${at}[${key}=${d[key]}]` : `${at}[${i}]`);
    });
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [at || '.'];
    return Object.entries(desired as Record<string, unknown>).flatMap(([k, v]) =>
      driftPaths(v, (live as Record<string, unknown>)[k], mode, at ? `${at}.${k}` : k),
    );
  }
  if (desired === undefined || desired === null) return [];
  return sameScalar(desired, live) ? [] : [at || '.'];
}

/** Merge keys of the common associative lists (containers, env, ports, volumeMounts...). */
const LIST_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'ip'];

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Quantities and ports are often written as numbers in Git and strings live (or the reverse).
  return (typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string') && String(a) === String(b);
}

/** The parts of an object a GitOps diff compares: everything but status and server-owned metadata. */
export function comparable(obj: Record<string, any>): Record<string, any> {
  const { status: _s, metadata, ...rest } = obj;
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** RFC 7386 merge patch turning `from` into `to` (nulls delete, lists are replaced whole). */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return stableStringify(from) === stableStringify(to) ? undefined : to;
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) patch[k] = v;
    else {
      const sub = createMergePatch(from[k], v);
      if (sub !== undefined) patch[k] = sub;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** JSON with sorted keys, so objects that went through a server compare equal regardless of key order. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    isPlainObject(val) ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val,
  );
}
