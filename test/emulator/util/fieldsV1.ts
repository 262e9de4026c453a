// The FieldsV1 path codec of managedFields (the emulator's own copy): `f:<field>`, `k:<key json>`, `v:<value json>`,
// `i:<index>` keys, with `.` marking a node that is itself a member of the set.
import { canonicalJson, isObject, type JsonObject } from './json';

/** One step of a field path: a field name, a list-map item by key, a set item by value, or a list index. */
export type PathElement = { field: string } | { key: JsonObject } | { value: unknown } | { index: number };
export type FieldPath = PathElement[];

/** Stable identity of a path, for Sets and Maps (key objects and values compared with sorted keys). */
export function pathKey(p: FieldPath): string {
  return p.map(elementId).join('\u0000');
}

function elementId(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`;
  if ('key' in e) return `k:${canonicalJson(e.key)}`;
  if ('value' in e) return `v:${canonicalJson(e.value)}`;
  return `i:${e.index}`;
}

/** One FieldsV1 key decoded, or undefined when it is malformed (unknown prefix, bad JSON, key that is no object). */
export function parseFieldsV1Key(s: string): PathElement | undefined {
  const body = s.slice(2);
  try {
    switch (s.slice(0, 2)) {
      case 'f:':
        return { field: body };
      case 'k:': {
        const key = JSON.parse(body) as unknown;
        return isObject(key) ? { key } : undefined;
      }
      case 'v:':
        return { value: JSON.parse(body) as unknown };
      case 'i:': {
        const index = Number(body);
        return Number.isInteger(index) ? { index } : undefined;
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Every path a FieldsV1 tree names: its leaves (`{}`) and the nodes marked with `.`. Malformed branches are skipped. */
export function fieldsToPaths(fieldsV1: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: unknown, prefix: FieldPath): void => {
    if (!isObject(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === '.') continue;
      const el = parseFieldsV1Key(k);
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
