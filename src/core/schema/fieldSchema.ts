// What the schemas say about a field: the given sources (a cluster's OpenAPI, CRDs) first, then the built-in
// snapshot. `metadata` is ObjectMeta for every kind (custom resources too, as the apiserver types them).
import { builtinSchema } from './builtinSchema';
import type { FieldSchema, SchemaSource } from './schemaTypes';

export type SchemaSources = readonly SchemaSource[];

/** Whether some source describes the kind (its fields' semantics are then known, not guessed). */
export function hasSchema(group: string, kind: string, sources: SchemaSources = []): boolean {
  return sources.some((s) => s.has(group, kind)) || builtinSchema().has(group, kind);
}

export function fieldSchemaAt(group: string, kind: string, path: readonly string[], sources: SchemaSources = []): FieldSchema | undefined {
  if (path[0] === 'metadata') {
    const meta = sources.find((s) => s.has('', 'ConfigMap')) ?? builtinSchema();
    return meta.fieldAt('', 'ConfigMap', path);
  }
  for (const s of sources) if (s.has(group, kind)) return s.fieldAt(group, kind, path);
  const b = builtinSchema();
  return b.has(group, kind) ? b.fieldAt(group, kind, path) : undefined;
}
