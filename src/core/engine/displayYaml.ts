// YAML for the two sides of a diff editor: a stable key order so that both sides line up line by line.
import { stringify } from 'yaml';

const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'type'];
const META_ORDER = ['name', 'namespace', 'labels', 'annotations'];

function rank(key: string, order: string[]): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

function sortDeep(v: unknown, depth: number, parentKey?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => sortDeep(x, depth + 1));
  if (v && typeof v === 'object') {
    const order = depth === 0 ? TOP_ORDER : parentKey === 'metadata' && depth === 1 ? META_ORDER : ['name'];
    const keys = Object.keys(v as object).sort((a, b) => rank(a, order) - rank(b, order) || a.localeCompare(b));
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = sortDeep((v as Record<string, unknown>)[k], depth + 1, k);
    return out;
  }
  return v;
}

export function toDisplayYaml(obj: unknown): string {
  if (obj === undefined || obj === null) return '';
  return stringify(sortDeep(obj, 0), { lineWidth: 0, aliasDuplicateObjects: false });
}
