// Strategic merge patch (application/strategic-merge-patch+json) for built-in types, after apimachinery's
// strategicpatch: the patch meta (x-kubernetes-patch-strategy / -merge-key of the real OpenAPI documents, i.e. the
// Go struct tags) decides: lists with strategy `merge` merge by their merge key (scalars: union), other lists are
// replaced, fields with strategy `replace` are replaced whole, and the `$` directives apply.
import { clone, isObject, deepEqual } from '../util/json';
import { PatchError } from './patchError';
import { patchMetaOf, supportsStrategicMerge } from './schemaInfo';

export interface StrategicMergeContext {
  group: string;
  kind: string;
  /** Version of the built-in schema (default: the served one). */
  version?: string;
}

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Returns a new object; `obj` is not modified. Custom resources are refused with 415, as the apiserver does. */
export function applyStrategicMergePatch<T>(obj: T, patch: unknown, ctx: StrategicMergeContext): T {
  if (!supportsStrategicMerge(ctx.group, ctx.kind)) {
    throw new PatchError(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
  if (!isObject(patch)) throw new PatchError(400, 'strategic merge patch must be a JSON object');
  const out = mergeMap(isObject(obj) ? obj : {}, patch, ctx, []);
  return (out ?? {}) as T;
}

/** Merges `patch` into map `orig`; undefined means "delete this map" (`$patch: delete`). */
function mergeMap(orig: Record<string, unknown>, patch: Record<string, unknown>, ctx: StrategicMergeContext, path: string[]): Record<string, unknown> | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined && directive !== 'merge') throw new PatchError(422, `unknown patch type: ${String(directive)} in map at ${path.join('.') || '<root>'}`);
  let out: Record<string, unknown> = clone(orig);
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(422, `$retainKeys at ${path.join('.')} must be a list`);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const childPath = [...path, k];
    if (isObject(v) && patchMetaOf(ctx, childPath).strategy.includes('replace')) {
      out[k] = stripDirectives(v);
    } else if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? out[k] : {}, v, ctx, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, ctx, childPath);
    } else {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(v)) throw new PatchError(422, `${k} must be a list`);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)));
    }
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw new PatchError(422, `${k} must be a list`);
    const live = Array.isArray(orig[field]) ? (orig[field] as unknown[]) : [];
    if (Array.isArray(out[field])) out[field] = applyOrder(out[field] as unknown[], order, patchMetaOf(ctx, [...path, field]).mergeKey, live);
  }
  return out;
}

function mergeList(orig: unknown[], patch: unknown[], ctx: StrategicMergeContext, path: string[]): unknown[] {
  const replaceAll = patch.some((p) => isObject(p) && p.$patch === 'replace');
  if (replaceAll) return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectivesDeep);
  const meta = patchMetaOf(ctx, path);
  if (!meta.strategy.includes('merge')) return patch.map(stripDirectivesDeep);
  const key = meta.mergeKey;
  if (!key && !patch.some((p) => isObject(p) || Array.isArray(p))) {
    // A list of scalars with strategy merge (metadata.finalizers): the union, first occurrences kept.
    const out = [...orig];
    for (const p of patch) if (!out.some((x) => deepEqual(x, p))) out.push(p);
    return applyOrder(out, patch, undefined, orig);
  }
  if (!key || !patch.every(isObject)) return patch.map(stripDirectivesDeep);
  const out: unknown[] = clone(orig);
  for (const p of patch as Record<string, unknown>[]) {
    if (!(key in p)) throw new PatchError(422, `map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const i = out.findIndex((x) => isObject(x) && deepEqual(x[key], p[key]));
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) {
      const merged = mergeMap(out[i] as Record<string, unknown>, p, ctx, path);
      if (merged === undefined) out.splice(i, 1);
      else out[i] = merged;
    } else {
      out.push(mergeMap({}, p, ctx, path));
    }
  }
  // apimachinery mergeSlice ends with normalizeElementOrder(patch items, server-only items, patch, original): without
  // $setElementOrder, items of the patch come in patch order, and new ones go before the live items ([A, X] + [Y] →
  // [Y, A, X]).
  return applyOrder(out, patch.filter((p) => !(isObject(p) && p.$patch === 'delete')), key, orig);
}

/**
 * `$setElementOrder` and the order of every merged list (apimachinery normalizeElementOrder + mergeSortedSlice): items the order names are sorted
 * by it, the others (server-only) keep their live order, and the two are interleaved by their live positions.
 */
function applyOrder(merged: unknown[], order: unknown[], key: string | undefined, live: unknown[]): unknown[] {
  const id = (x: unknown): unknown => (key && isObject(x) ? x[key] : x);
  const indexIn = (list: unknown[], x: unknown): number => list.findIndex((o) => deepEqual(id(o), id(x)));
  const named = merged.filter((x) => indexIn(order, x) >= 0).sort((a, b) => indexIn(order, a) - indexIn(order, b));
  const serverOnly = merged.filter((x) => indexIn(order, x) < 0).sort((a, b) => indexIn(live, a) - indexIn(live, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(named[j++]);
    else {
      const li = indexIn(live, serverOnly[i]);
      const ri = indexIn(live, named[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(named[j++]);
    }
  }
  return out;
}

function stripDirectives(m: Record<string, unknown>): Record<string, unknown> {
  return stripDirectivesDeep(m) as Record<string, unknown>;
}

function stripDirectivesDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectivesDeep);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, stripDirectivesDeep(x)]));
}
