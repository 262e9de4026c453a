// Unknown-field detection against a CRD's structural schema, for fieldValidation=Strict/Warn.

type Schema = Record<string, any>;

/**
 * Paths (like `.spec.foo`) of fields the schema does not declare, removed from `obj` as the real server
 * prunes them from custom resources; `metadata` is the server's own and is not checked here.
 */
export function pruneUnknownFields(obj: unknown, schema: Schema | undefined): string[] {
  if (!schema) return [];
  const out: string[] = [];
  walk(obj, schema, '', out, true);
  return out;
}

function walk(v: unknown, s: Schema, path: string, out: string[], root = false): void {
  if (s['x-kubernetes-preserve-unknown-fields'] === true && !s.properties) return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => walk(item, s.items, `${path}[${i}]`, out));
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const props = s.properties as Record<string, Schema> | undefined;
  const additional = s.additionalProperties;
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    const p = `${path}.${k}`;
    if (props?.[k]) walk(child, props[k], p, out);
    else if (typeof additional === 'object' && additional !== null) walk(child, additional, p, out);
    else if (additional === true || s['x-kubernetes-preserve-unknown-fields'] === true) continue;
    else if (props || s.type === 'object') {
      out.push(p);
      delete (v as Record<string, unknown>)[k];
    }
  }
}
