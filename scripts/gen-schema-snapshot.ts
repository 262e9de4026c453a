// Generates src/core/schema/builtinSchema.json, the compact schema of the built-in kinds that ships with the
// extension, from the vendored OpenAPI v3 documents of the pinned Kubernetes release
// (test/fixtures/kubernetes-openapi-v3/, see its SOURCES.md). `--check` fails when the committed file differs.
// test/unit/schema/snapshot.test.ts runs the same check.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactFromOpenApi, type OpenApiDocument } from '../src/core/schema/fromOpenApi';
import type { CompactSchema } from '../src/core/schema/schemaTypes';

const ROOT = join(__dirname, '..');
export const OPENAPI_DIR = join(ROOT, 'test', 'fixtures', 'kubernetes-openapi-v3');
export const SNAPSHOT_FILE = join(ROOT, 'src', 'core', 'schema', 'builtinSchema.json');
const KUBERNETES_VERSION = 'v1.37.2';

/** One type per line: small diffs when a release changes a few types. */
export function serialize(s: CompactSchema): string {
  const block = (o: Record<string, unknown>) =>
    `{\n${Object.entries(o)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n')}\n  }`;
  return `{\n  "source": ${JSON.stringify(s.source)},\n  "kinds": ${block(s.kinds)},\n  "types": ${block(s.types)}\n}\n`;
}

export function generateSnapshot(): string {
  const files = readdirSync(OPENAPI_DIR).filter((f) => f.endsWith('_openapi.json')).sort();
  const docs = files.map((f) => JSON.parse(readFileSync(join(OPENAPI_DIR, f), 'utf8')) as OpenApiDocument);
  return serialize(compactFromOpenApi(docs, `kubernetes ${KUBERNETES_VERSION} OpenAPI v3 (${files.length} group-versions)`));
}

if (require.main === module) {
  const text = generateSnapshot();
  if (process.argv.includes('--check')) {
    if (readFileSync(SNAPSHOT_FILE, 'utf8') !== text) {
      console.error(`${SNAPSHOT_FILE} is stale: run npx tsx scripts/gen-schema-snapshot.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(SNAPSHOT_FILE, text);
    console.log(`wrote ${SNAPSHOT_FILE} (${text.length} bytes)`);
  }
}
