// N17: Secret values never leave the engine. Per key, equal values share a mask and different values
// get different masks (Argo: `+`×8, ×12, ×16 … in order of appearance), so "changed or not" stays visible.
import type { KubeObject } from '../model';
import { groupOf } from '../model';
import { clone, isObject, type JsonObject } from '../k8s/json';
import { LAST_APPLIED } from './rules';

export function isSecret(obj: KubeObject | undefined): boolean {
  return !!obj && groupOf(obj.apiVersion ?? '') === '' && obj.kind === 'Secret';
}

export const mask = (n: number): string => '+'.repeat(8 + 4 * n);

/** Masked copies of Secrets (others returned as copies unchanged). Fails closed on odd shapes. */
export function maskSecrets(...objs: Array<KubeObject | undefined>): Array<KubeObject | undefined> {
  return maskSecretsInPlace(...objs.map((o) => (o ? clone(o) : undefined)));
}

/** maskSecrets without the copies, for objects the caller owns; returns them. */
export function maskSecretsInPlace(...copies: Array<KubeObject | undefined>): Array<KubeObject | undefined> {
  const seen = new Map<string, string[]>();
  const maskFor = (key: string, value: unknown): string => {
    const values = seen.get(key) ?? [];
    const v = JSON.stringify(value ?? null);
    let i = values.indexOf(v);
    if (i < 0) i = values.push(v) - 1;
    seen.set(key, values);
    return mask(i);
  };
  for (const o of copies) {
    if (!o || !isSecret(o)) continue;
    for (const field of ['data', 'stringData']) {
      const d = o[field];
      if (isObject(d)) for (const k of Object.keys(d)) d[k] = maskFor(k, d[k]);
      else if (d !== undefined && d !== null) o[field] = mask(0);
    }
    const ann = o.metadata?.annotations;
    if (isObject(ann) && typeof ann[LAST_APPLIED] === 'string') ann[LAST_APPLIED] = maskLastApplied(ann[LAST_APPLIED] as string);
  }
  return copies;
}

/** The last-applied annotation of a Secret with its values masked; unparseable ⇒ wholly masked. */
function maskLastApplied(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as JsonObject;
    if (!isObject(parsed)) return mask(0);
    const [m] = maskSecrets({ metadata: {}, ...parsed, apiVersion: 'v1', kind: 'Secret' } as KubeObject);
    return JSON.stringify(m);
  } catch {
    return mask(0);
  }
}
