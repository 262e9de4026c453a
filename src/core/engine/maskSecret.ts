// Last line of defence before anything reaches a screen: Secret values are replaced by masks.
import type { KubeObject } from '../model';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Masks `data`/`stringData` of a Secret (equal values share a mask) and drops the last-applied copy of them. */
export function maskSecretForDisplay(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret' || obj.apiVersion !== 'v1') return obj;
  const masks = new Map<string, string>();
  const mask = (v: unknown) => {
    const k = JSON.stringify(v);
    if (!masks.has(k)) masks.set(k, '+'.repeat(8 + 4 * masks.size));
    return masks.get(k)!;
  };
  const out: KubeObject = { ...obj, metadata: { ...obj.metadata } };
  for (const field of ['data', 'stringData'] as const) {
    const d = obj[field];
    if (d && typeof d === 'object') out[field] = Object.fromEntries(Object.entries(d as Record<string, unknown>).map(([k, v]) => [k, mask(v)]));
  }
  if (obj.metadata.annotations?.[LAST_APPLIED]) out.metadata.annotations = { ...obj.metadata.annotations, [LAST_APPLIED]: '++++++++' };
  return out;
}
