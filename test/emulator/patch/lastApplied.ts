// The apiserver's client-side → server-side apply upgrade (lastappliedmanager.go, lastappliedupdater.go): only for
// the manager "kubectl", conflicts on fields the last-applied annotation still describes are allowed, and the
// annotation is kept in step with what was applied so a later client-side apply agrees.
import { canonicalJson, clone, isObject } from '../util/json';
import { FieldSet } from './fieldSet';
import { stripUntracked } from './managedFieldsEntries';
import type { TypeContext } from './schemaInfo';
import { compare, toFieldSet } from './typedWalk';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const UPGRADING_MANAGER = 'kubectl';

function annotationOf(obj: unknown): string | undefined {
  const meta = isObject(obj) ? obj.metadata : undefined;
  const ann = isObject(meta) ? meta.annotations : undefined;
  const v = isObject(ann) ? ann[LAST_APPLIED] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Fields of the last-applied configuration whose live value still matches it (others were changed since). */
export function allowedConflictsFromLastApplied(ctx: TypeContext, live: unknown): FieldSet {
  const text = annotationOf(live);
  if (!text) return new FieldSet();
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return new FieldSet();
  }
  if (!isObject(last)) return new FieldSet();
  return stripUntracked(toFieldSet(ctx, last), undefined).difference(compare(ctx, last, live).modified);
}

/** `obj` with the last-applied annotation rewritten from `applied`, when `live` carried one. */
export function syncLastApplied(live: unknown, applied: unknown, obj: Record<string, unknown>): void {
  if (!annotationOf(live)) return;
  const cfg = clone(applied) as Record<string, unknown>;
  if (isObject(cfg.metadata)) {
    // Go's Unstructured keeps an emptied annotations map as `{}`; json.Encoder adds the newline.
    const ann = isObject(cfg.metadata.annotations) ? { ...cfg.metadata.annotations } : undefined;
    if (ann) {
      delete ann[LAST_APPLIED];
      cfg.metadata.annotations = ann;
    }
    delete cfg.metadata.managedFields;
  }
  const meta = (isObject(obj.metadata) ? obj.metadata : (obj.metadata = {})) as Record<string, unknown>;
  meta.annotations = { ...(isObject(meta.annotations) ? meta.annotations : {}), [LAST_APPLIED]: canonicalJson(cfg) + '\n' };
}
