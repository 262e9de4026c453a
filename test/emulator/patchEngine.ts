// The server's view of the patch/apply/managedFields engines (written separately in ./patch).
// Loaded lazily so the server still runs (with simple stand-ins) while that module is being written.
import * as jsonpatch from 'fast-json-patch';
import type { ManagedFieldsEntry } from './types';
import type { ListType, ListTypeResolver } from './patch/schemaInfo';
import { ApiError, type StatusReason } from './apiStatus';
import type { Obj } from './objectStore';

export interface ManagedFieldsOptions {
  manager: string;
  operation: 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  listTypes?: ListTypeResolver;
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  group: string;
  kind: string;
  apiVersion: string;
  time: string;
  subresource?: string;
  listTypes?: ListTypeResolver;
}

export interface PatchEngine {
  jsonPatch(obj: Obj, ops: unknown): Obj;
  mergePatch(obj: Obj, patch: unknown): Obj;
  strategicMergePatch(obj: Obj, patch: unknown, t: { group: string; kind: string; version?: string }): Obj;
  apply(live: Obj | undefined, applied: Obj, o: ApplyOptions): { object: Obj; managedFields: ManagedFieldsEntry[] };
  managedFields(before: Obj | undefined, after: Obj, o: ManagedFieldsOptions): ManagedFieldsEntry[];
  /** True when the real engine is loaded (tests that need exact managedFields check this). */
  readonly complete: boolean;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function smpStandIn(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k]) && v.every((i) => isObj(i) && typeof i.name === 'string')) {
      const merged = [...(out[k] as Obj[])];
      for (const item of v as Obj[]) {
        const i = merged.findIndex((m) => isObj(m) && m.name === item.name);
        if (item.$patch === 'delete') {
          if (i >= 0) merged.splice(i, 1);
        } else if (i >= 0) merged[i] = smpStandIn(merged[i], item) as Obj;
        else merged.push(smpStandIn({}, item) as Obj);
      }
      out[k] = merged;
    } else out[k] = smpStandIn(out[k], v);
  }
  return out;
}

/** Ownership of every leaf of `o` (lists atomic): the stand-in for real FieldsV1 computation. */
function naiveFields(o: unknown): Obj {
  const f: Obj = {};
  if (!isObj(o)) return f;
  for (const [k, v] of Object.entries(o)) f[`f:${k}`] = isObj(v) && Object.keys(v).length > 0 ? { '.': {}, ...naiveFields(v) } : {};
  return f;
}

function strip(o: Obj): Obj {
  const { metadata, status: _s, ...rest } = o;
  const { managedFields: _m, uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, name: _n, namespace: _ns, ...meta } = metadata ?? {};
  return Object.keys(meta).length ? { ...rest, metadata: meta } : rest;
}

const standIn: PatchEngine = {
  complete: false,
  jsonPatch(obj, ops) {
    try {
      return jsonpatch.applyPatch(structuredClone(obj), ops as jsonpatch.Operation[], true, false).newDocument;
    } catch (e) {
      throw new ApiError('Invalid', (e as Error).message);
    }
  },
  mergePatch: (obj, patch) => mergePatch(obj, patch) as Obj,
  strategicMergePatch: (obj, patch) => smpStandIn(obj, patch) as Obj,
  apply(live, applied, o) {
    const object = mergePatch(live ?? {}, applied) as Obj;
    const entry: ManagedFieldsEntry = { manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: naiveFields(strip(applied)) };
    const others = ((live?.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).filter((e) => !(e.manager === o.manager && e.operation === 'Apply'));
    return { object, managedFields: [...others, entry] };
  },
  managedFields(before, after, o) {
    const prev = (before?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
    const same = (e: ManagedFieldsEntry) => e.manager === o.manager && e.operation === 'Update' && (e.subresource ?? '') === (o.subresource ?? '');
    const entry: ManagedFieldsEntry = { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: naiveFields(strip(after)) };
    if (o.subresource) entry.subresource = o.subresource;
    return [...prev.filter((e) => !same(e)), entry];
  },
};

/** The real engine from ./patch when present, adapted to this interface; otherwise the stand-ins. */
export function loadPatchEngine(): PatchEngine {
  let mod: Record<string, any>;
  try {
    mod = require('./patch/index');
  } catch {
    return standIn;
  }
  const wrap =
    <A extends unknown[], R>(f: ((...a: A) => R) | undefined, fallback: (...a: A) => R) =>
    (...a: A): R => {
      try {
        return f ? f(...a) : fallback(...a);
      } catch (e) {
        throw toApiError(e);
      }
    };
  const mf = (r: any): ManagedFieldsEntry[] => (Array.isArray(r) ? r : (r?.managedFields ?? r?.object?.metadata?.managedFields ?? []));
  return {
    complete: typeof mod.serverSideApply === 'function' && typeof mod.updateManagedFields === 'function',
    jsonPatch: wrap(mod.applyJsonPatch, standIn.jsonPatch),
    mergePatch: wrap(mod.applyMergePatch, standIn.mergePatch),
    strategicMergePatch: wrap(mod.applyStrategicMergePatch, standIn.strategicMergePatch),
    apply: wrap(
      mod.serverSideApply
        ? (live: Obj | undefined, applied: Obj, o: ApplyOptions) => {
            const r = mod.serverSideApply(live, applied, o);
            return { object: r.object, managedFields: mf(r.managedFields ?? r.object?.metadata?.managedFields) };
          }
        : undefined,
      standIn.apply,
    ),
    managedFields: wrap(mod.updateManagedFields ? (b: Obj | undefined, a: Obj, o: ManagedFieldsOptions) => mf(mod.updateManagedFields(b, a, o)) : undefined, standIn.managedFields),
  };
}

const REASON_BY_STATUS: Record<number, StatusReason> = { 400: 'BadRequest', 409: 'Conflict', 415: 'UnsupportedMediaType', 422: 'Invalid' };

/** Engine errors carry the HTTP status the real server answers with (and causes, e.g. apply conflicts). */
function toApiError(e: unknown): Error {
  if (e instanceof ApiError) return e;
  const err = e as { status?: number; message?: string; causes?: { type?: string; message?: string; field?: string }[] };
  const reason = REASON_BY_STATUS[err?.status ?? 0];
  if (!reason) return e as Error;
  const causes = err.causes?.map((c) => ({ reason: c.type, message: c.message, field: c.field }));
  // A generic server response (a JSON patch that does not apply) has empty details, not none.
  if (err.status === 422 && err.message === 'the server rejected our request due to an error in our request') return new ApiError(reason, err.message, {});
  return new ApiError(reason, err.message ?? String(e), causes?.length ? { causes } : undefined);
}

/** list types declared in a CRD schema (x-kubernetes-list-type / x-kubernetes-list-map-keys). */
export function crdListTypes(schema: Record<string, any> | undefined): ListTypeResolver | undefined {
  if (!schema) return undefined;
  return (_group, _kind, path) => {
    let s: Record<string, any> | undefined = schema;
    for (const field of path) {
      while (s && s.type === 'array') s = s.items;
      s = s?.properties?.[field] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (!s) return undefined;
    }
    const lt = s?.['x-kubernetes-list-type'];
    if (lt === 'map') return { type: 'map', keys: s!['x-kubernetes-list-map-keys'] ?? [] } satisfies ListType;
    if (lt === 'set' || lt === 'atomic') return { type: lt } satisfies ListType;
    return undefined;
  };
}
