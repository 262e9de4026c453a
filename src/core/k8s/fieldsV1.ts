// managedFields[].fieldsV1 ⇄ sets of paths, and "who last wrote this field" attribution.
import type { KubeObject, ManagedFieldsEntry } from '../model';
import { canonicalJson, isObject, type JsonObject } from './json';

/** One step of a field path: a field name, a list-map item by key, a set item by value, or a list index. */
export type PathElement = { field: string } | { key: JsonObject } | { value: unknown } | { index: number };
export type FieldPath = PathElement[];

export function elementToString(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`;
  if ('key' in e) return `k:${JSON.stringify(e.key)}`;
  if ('value' in e) return `v:${JSON.stringify(e.value)}`;
  return `i:${e.index}`;
}

/** Stable identity of a path, for Sets and Maps (key objects compared with sorted keys). */
export function pathKey(p: FieldPath): string {
  return p.map((e) => ('key' in e ? `k:${canonicalJson(e.key)}` : 'value' in e ? `v:${canonicalJson(e.value)}` : elementToString(e))).join('\u0000');
}

function parseElement(s: string): PathElement | undefined {
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:':
      return { field: body };
    case 'k:': {
      const key = JSON.parse(body) as unknown;
      return isObject(key) ? { key } : undefined;
    }
    case 'v:':
      return { value: JSON.parse(body) as unknown };
    case 'i:':
      return { index: Number(body) };
    default:
      return undefined;
  }
}

/** Every path the fieldsV1 tree names: leaves (`{}`) and nodes marked with `.` (owned themselves). */
export function fieldsToPaths(fieldsV1: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: unknown, prefix: FieldPath): void => {
    if (!isObject(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === '.') continue;
      let el: PathElement | undefined;
      try {
        el = parseElement(k);
      } catch {
        el = undefined; // malformed key JSON: skip that branch rather than fail attribution
      }
      if (!el) continue;
      const p = [...prefix, el];
      const kids = isObject(child) ? Object.keys(child) : [];
      if (kids.length === 0 || kids.includes('.')) out.push(p);
      walk(child, p);
    }
  };
  walk(fieldsV1, []);
  return out;
}

/** pathKey() of one fieldsV1 key (`f:x`, `k:{…}`, `v:…`, `i:0`), or undefined when malformed. */
function elementKey(s: string): string | undefined {
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:':
      return s;
    case 'k:':
    case 'v:': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return undefined;
      }
      return s[0] === 'k' && !isObject(parsed) ? undefined : `${s.slice(0, 2)}${canonicalJson(parsed)}`;
    }
    case 'i:':
      return `i:${Number(body)}`;
    default:
      return undefined;
  }
}

/**
 * `fieldsToPaths(f).map(pathKey)` built in one walk: keys are extended from their parent's key instead of
 * being re-serialized from the root for every path (ownership and attribution only need the keys).
 */
export function fieldsToPathKeys(fieldsV1: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, prefix: string | undefined): void => {
    if (!isObject(node)) return;
    for (const k of Object.keys(node)) {
      if (k === '.') continue;
      const el = elementKey(k);
      if (el === undefined) continue;
      const key = prefix === undefined ? el : `${prefix}\u0000${el}`;
      const child = node[k];
      if (!isObject(child) || '.' in child || Object.keys(child).length === 0) out.push(key);
      walk(child, key);
    }
  };
  walk(fieldsV1, undefined);
  return out;
}

/** Inverse of fieldsToPaths: a path that is also a prefix of another one gets a `.` marker. */
export function pathsToFields(paths: FieldPath[]): JsonObject {
  const root: JsonObject = {};
  const own = new Set(paths.map(pathKey));
  for (const p of paths) {
    let node = root;
    p.forEach((el, i) => {
      const k = elementToString(el);
      const next = (node[k] as JsonObject | undefined) ?? {};
      node[k] = next;
      node = next;
      if (i < p.length - 1 && own.has(pathKey(p.slice(0, i + 1)))) next['.'] = {};
    });
  }
  return root;
}

export type ManagerFilter = string | ((entry: ManagedFieldsEntry) => boolean);

function matches(entry: ManagedFieldsEntry, f: ManagerFilter): boolean {
  return typeof f === 'string' ? entry.manager === f : f(entry);
}

/** Union of paths owned by managedFields entries that match (main resource only, not subresources). */
export function ownedPathsOf(obj: KubeObject, filter: ManagerFilter): FieldPath[] {
  const seen = new Map<string, FieldPath>();
  for (const e of obj.metadata?.managedFields ?? []) {
    if (e.subresource || !matches(e, filter)) continue;
    for (const p of fieldsToPaths(e.fieldsV1)) seen.set(pathKey(p), p);
  }
  return [...seen.values()];
}

export interface Attribution {
  manager: string;
  operation?: string;
  time?: string;
}

/** Attribution lookups for one object; decodes each managedFields entry once, on the first lookup (most objects need none). */
export function attributor(obj: KubeObject): (path: FieldPath) => Attribution | undefined {
  let decoded: Array<{ e: ManagedFieldsEntry; owned: Set<string> }> | undefined;
  return (path) => {
    const entries = (decoded ??= (obj.metadata?.managedFields ?? []).map((e) => ({ e, owned: new Set(fieldsToPathKeys(e.fieldsV1)) })));
    let best: { depth: number; entry: ManagedFieldsEntry } | undefined;
    const prefixKeys = path.map((_, i) => pathKey(path.slice(0, i + 1)));
    for (const { e, owned } of entries) {
      // Subresource entries (status, scale) name fields in the main object's coordinates: `kubectl scale`
      // records `subresource: scale` owning `f:spec.f:replicas`, so they attribute like any other entry.
      let depth = 0;
      for (let d = path.length; d > 0; d--) {
        if (owned.has(prefixKeys[d - 1])) {
          depth = d;
          break;
        }
      }
      if (depth === 0) continue;
      const later = best && depth === best.depth && (e.time ?? '') > (best.entry.time ?? '');
      if (!best || depth > best.depth || later) best = { depth, entry: e };
    }
    return best ? { manager: best.entry.manager ?? '', operation: best.entry.operation, time: best.entry.time } : undefined;
  };
}

/** The entry owning the deepest prefix of `path`; among equals the latest by time. */
export function managerOf(obj: KubeObject, path: FieldPath): Attribution | undefined {
  return attributor(obj)(path);
}
