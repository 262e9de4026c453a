// The ownership set O: paths desired used to own, so dropping them from Git is a removal (§3.3).
import type { KubeObject, ManagedFieldsEntry } from '../model';
import { groupOf } from '../model';
import { fieldsToPathKeys, pathKey, type FieldPath } from '../k8s/fieldsV1';
import { isObject } from '../k8s/json';
import { listTypeAt, mapTypeAt, type ListTypeResolver } from '../k8s/listKeys';
import type { SchemaSources } from '../schema/fieldSchema';
import { schemaPathOf } from './formatPath';
import { itemElement } from './listItems';
import { normalizeObject } from './normalize';
import { KNOWN_APPLIERS } from './options';
import { LAST_APPLIED } from './rules';

export interface Ownership {
  source: 'managedFields' | 'last-applied' | 'none';
  manager?: string;
  owned: Set<string>;
}

const mainResource = (e: ManagedFieldsEntry): boolean => !e.subresource;

/** Our applier's field manager: explicit, else a known GitOps controller, else the only Apply manager. */
export function detectApplier(live: KubeObject, explicit?: string): string | undefined {
  if (explicit) return explicit;
  const appliers = [...new Set((live.metadata?.managedFields ?? []).filter((e) => e.operation === 'Apply' && mainResource(e)).map((e) => e.manager ?? ''))];
  return appliers.find((m) => KNOWN_APPLIERS.includes(m)) ?? (appliers.length === 1 ? appliers[0] : undefined);
}

function fromManagedFields(live: KubeObject, manager: string): Set<string> | undefined {
  const entries = (live.metadata?.managedFields ?? []).filter(mainResource);
  const ours = entries.filter((e) => e.manager === manager && e.operation === 'Apply');
  if (ours.length === 0) return undefined;
  const others = new Set(entries.filter((e) => !ours.includes(e)).flatMap((e) => fieldsToPathKeys(e.fieldsV1)));
  // SSA only un-owns a field another manager also owns: dropping it from desired does not remove it.
  return new Set(ours.flatMap((e) => fieldsToPathKeys(e.fieldsV1)).filter((k) => !others.has(k)));
}

/** Leaf paths of an applied object (list-map items by key, set items by value, atomic lists whole). */
export function leafPaths(obj: KubeObject, resolver?: ListTypeResolver, schemas?: SchemaSources): FieldPath[] {
  const group = groupOf(obj.apiVersion ?? '');
  const out: FieldPath[] = [];
  const walk = (v: unknown, path: FieldPath): void => {
    if (isObject(v) && Object.keys(v).length > 0 && !(path.length > 0 && mapTypeAt(group, obj.kind, schemaPathOf(path), schemas) === 'atomic')) {
      for (const [k, c] of Object.entries(v)) walk(c, [...path, { field: k }]);
    } else if (Array.isArray(v)) {
      const lt = listTypeAt(group, obj.kind, schemaPathOf(path), resolver, schemas);
      if (lt.type === 'atomic') out.push(path);
      else
        v.forEach((item, i) => {
          const p = [...path, itemElement(item, i, lt).el];
          out.push(p);
          if (lt.type === 'map') walk(item, p);
        });
    } else out.push(path);
  };
  for (const [k, v] of Object.entries(obj)) if (k !== 'apiVersion' && k !== 'kind') walk(v, [{ field: k }]);
  return out;
}

function fromLastApplied(live: KubeObject, resolver?: ListTypeResolver, schemas?: SchemaSources): Set<string> | undefined {
  const raw = live.metadata?.annotations?.[LAST_APPLIED];
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const applied = normalizeObject({ metadata: {}, ...parsed } as KubeObject);
  return new Set(leafPaths(applied, resolver, schemas).map(pathKey));
}

export function ownershipOf(live: KubeObject, opts: { manager?: string; resolver?: ListTypeResolver; schemas?: SchemaSources }): Ownership {
  const manager = detectApplier(live, opts.manager);
  const mf = manager ? fromManagedFields(live, manager) : undefined;
  if (mf) return { source: 'managedFields', manager, owned: mf };
  const la = fromLastApplied(live, opts.resolver, opts.schemas);
  if (la) return { source: 'last-applied', manager, owned: la };
  return { source: 'none', manager, owned: new Set() };
}
