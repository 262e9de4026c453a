// The built-in kinds' schema of the pinned Kubernetes release, shipped with the extension for offline use (pair
// mode, CI, no cluster): generated from the release's OpenAPI v3 documents by scripts/gen-schema-snapshot.ts.
import snapshot from './builtinSchema.json';
import { CompactSchemaSource } from './compactSource';
import type { CompactSchema } from './schemaTypes';

let source: CompactSchemaSource | undefined;

export function builtinSchema(): CompactSchemaSource {
  return (source ??= new CompactSchemaSource(snapshot as CompactSchema));
}
