// What a save of a live object sends: only the fields the person changed. A server-side apply of the whole
// object would make the breakglass field manager own every field (hiding who really set what, and taking
// fields away from the GitOps controller); applying the delta owns exactly the edit.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../model';

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The part of `b` that differs from `a` (lists and scalars whole), or undefined when equal. */
function delta(a: unknown, b: unknown): unknown {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (isPlain(a) && isPlain(b)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) {
      const d = k in a ? delta(a[k], v) : v;
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return b;
}

function removed(a: unknown, b: unknown, path: string, out: string[]): void {
  if (!isPlain(a) || !isPlain(b)) return;
  for (const k of Object.keys(a)) {
    if (!(k in b)) out.push(path ? `${path}.${k}` : k);
    else removed(a[k], b[k], path ? `${path}.${k}` : k, out);
  }
}

export interface LiveEditBody {
  /** Apply body with the object's identity and the changed fields; undefined when nothing changed. */
  body?: KubeObject;
  /** Fields deleted in the editor: an apply cannot remove fields another manager owns. */
  removedPaths: string[];
}

export function liveEditBody(original: KubeObject, edited: KubeObject): LiveEditBody {
  const removedPaths: string[] = [];
  const ignore = new Set(['status']);
  const strip = (o: KubeObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !ignore.has(k)));
  removed(strip(original), strip(edited), '', removedPaths);
  const d = delta(strip(original), strip(edited)) as Record<string, unknown> | undefined;
  if (!d) return { removedPaths };
  const meta = (d.metadata ?? {}) as Record<string, unknown>;
  const body = {
    ...d,
    apiVersion: edited.apiVersion,
    kind: edited.kind,
    metadata: { ...meta, name: edited.metadata.name, ...(edited.metadata.namespace ? { namespace: edited.metadata.namespace } : {}) },
  } as KubeObject;
  return { body, removedPaths };
}
