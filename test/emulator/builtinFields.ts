// Unknown-field detection for built-in kinds, using the field tables of @kubernetes/client-node's generated models
// (the same Go types the real server decodes into: a field they lack is dropped, or rejected under Strict).
import * as k8s from '@kubernetes/client-node';
import type { ResourceType } from './resourceTypes';

type Attr = { baseName: string; type: string };
type Model = { getAttributeTypeMap(): Attr[] };

const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

function model(name: string): Model | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[name] as Model | undefined;
  return typeof m?.getAttributeTypeMap === 'function' ? m : undefined;
}

/** The client-node model of a built-in kind (V1Deployment, V2HorizontalPodAutoscaler, CoreV1Event …). */
export function modelName(t: Pick<ResourceType, 'version' | 'kind'>): string | undefined {
  const v = t.version.charAt(0).toUpperCase() + t.version.slice(1);
  return [`${v}${t.kind}`, `Core${v}${t.kind}`].find((n) => model(n));
}

/** Paths (like `.spec.replicass`) of fields the built-in type lacks, removed from `obj` as the real decoder drops them. */
export function pruneUnknownBuiltinFields(t: Pick<ResourceType, 'version' | 'kind'>, obj: unknown): string[] {
  const name = modelName(t);
  if (!name) return [];
  const out: string[] = [];
  walk(obj, name, '', out);
  return out;
}

function walk(v: unknown, type: string, path: string, out: string[]): void {
  if (v === null || v === undefined || LEAF_TYPES.has(type)) return;
  if (type.startsWith('Array<')) {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, type.slice(6, -1), `${path}[${i}]`, out));
    return;
  }
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (mapOf) {
    if (typeof v === 'object') for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, mapOf[1], `${path}.${k}`, out);
    return;
  }
  const m = model(type);
  if (!m || typeof v !== 'object' || Array.isArray(v)) return;
  const attrs = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    const childType = attrs.get(k);
    if (childType === undefined) {
      out.push(`${path}.${k}`);
      delete (v as Record<string, unknown>)[k];
    } else walk(child, childType, `${path}.${k}`, out);
  }
}
