// RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else (lists too) replaces.
import { clone, isObject } from '../util/json';
import { PatchError } from './patchError';

/** Returns a new object; `obj` is not modified. The patch must be a JSON object, as the apiserver requires. */
export function applyMergePatch<T>(obj: T, patch: unknown): T {
  if (!isObject(patch)) throw new PatchError(400, `merge patch must be a JSON object, got ${patch === null ? 'null' : Array.isArray(patch) ? 'array' : typeof patch}`);
  return mergeValue(obj, patch) as T;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}
