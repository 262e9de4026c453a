// Human-readable paths that name list items by key: `spec.template.spec.containers[name=web].env[name=X].value`.
import type { FieldPath, PathElement } from '../k8s/fieldsV1';

const PLAIN = /^[A-Za-z_$][\w$-]*$/;

function scalar(v: unknown): string {
  return typeof v === 'string' && !/[,=\]"[]/.test(v) ? v : JSON.stringify(v);
}

function element(e: PathElement, first: boolean): string {
  if ('field' in e) return PLAIN.test(e.field) ? `${first ? '' : '.'}${e.field}` : `[${JSON.stringify(e.field)}]`;
  if ('key' in e) return `[${Object.entries(e.key).map(([k, v]) => `${k}=${scalar(v)}`).join(',')}]`;
  if ('value' in e) return `[=${scalar(e.value)}]`;
  return `[${e.index}]`;
}

export function formatPath(path: FieldPath): string {
  return path.map((e, i) => element(e, i === 0)).join('');
}

/** Field names only (list items dropped): the form listTypeAt expects. */
export function schemaPathOf(path: FieldPath): string[] {
  return path.flatMap((e) => ('field' in e ? [e.field] : []));
}
