// Which lists are maps (merged by key), sets or atomic, which maps are atomic, and which values have a format
// (quantity, int-or-string, date-time, duration): all read from the API's own schemas (src/core/schema: the
// built-in snapshot of the pinned release, a cluster's OpenAPI, CRDs), per SSA semantics (diff-semantics §6).
// Paths are field names from the object root; list items are not part of the path.
import { fieldSchemaAt, hasSchema, type SchemaSources } from '../schema/fieldSchema';
import type { FieldSchema, ListType, ValueFormat } from '../schema/schemaTypes';

export type { ListType } from '../schema/schemaTypes';

/** Schema lookups for CRDs (x-kubernetes-list-type / -list-map-keys); undefined = no opinion. */
export type ListTypeResolver = (group: string, kind: string, path: string[]) => ListType | undefined;

// Where the PodSpec sits in each kind that has one. The schemas say it too (the field's type is PodSpec), but the
// defaults and N10 port normalization only need these paths; a test checks each against the snapshot.
const POD_KINDS: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const ATOMIC: ListType = { type: 'atomic' };

/** Path of the PodSpec inside an object of this kind, or undefined when the kind has none. */
export function podSpecPath(kind: string): string[] | undefined {
  return POD_KINDS[kind];
}

function field(group: string, kind: string, path: string[], schemas?: SchemaSources): FieldSchema | undefined {
  return fieldSchemaAt(group, kind, path, schemas);
}

/** SSA list type at `path`: the schemas (built-in snapshot, sources given), then the legacy resolver, else atomic. */
export function listTypeAt(group: string, kind: string, path: string[], resolver?: ListTypeResolver, schemas?: SchemaSources): ListType {
  const known = path[0] === 'metadata' || hasSchema(group, kind, schemas);
  if (known) return field(group, kind, path, schemas)?.list ?? ATOMIC;
  return resolver?.(group, kind, path) ?? ATOMIC;
}

/** `x-kubernetes-map-type` at `path` (maps and structs); granular unless a schema says atomic. */
export function mapTypeAt(group: string, kind: string, path: string[], schemas?: SchemaSources): 'atomic' | 'granular' {
  return field(group, kind, path, schemas)?.mapType === 'atomic' ? 'atomic' : 'granular';
}

/** The value format a schema declares at `path` (quantity, int-or-string, date-time, duration). */
export function formatAt(group: string, kind: string, path: string[], schemas?: SchemaSources): ValueFormat | undefined {
  return field(group, kind, path, schemas)?.format;
}

/**
 * Strategic-merge-patch merge key at `path` (kubectl apply / Argo legacy). It differs from the SSA keys:
 * one field only (Service ports: `port`, container ports: `containerPort`), so TCP+UDP on one port collapse.
 */
export function smpMergeKeyAt(group: string, kind: string, path: string[], schemas?: SchemaSources): string | undefined {
  return field(group, kind, path, schemas)?.smpMergeKey;
}

/** Structs patched with SMP `retainKeys`: union members not in the patch are dropped. */
export function usesRetainKeys(group: string, kind: string, path: string[], schemas?: SchemaSources): boolean {
  return field(group, kind, path, schemas)?.retainKeys === true;
}
