// What a save of a live object sends: only the fields the person changed. A server-side apply of the whole
// object would make the breakglass field manager own every field (hiding who really set what, and taking
// fields away from the GitOps controller); applying the delta owns exactly the edit (issue 17.4).
//
// Lists follow SSA list semantics (src/core/k8s/listKeys): a list with map keys (containers by name, env by
// name, ports by containerPort+protocol…) sends only the changed items, each with its key fields and, inside it,
// only what changed; a set sends only the added values; an atomic list (or one of unknown type) is sent whole,
// since the server owns it as one value anyway.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../model';
import { listTypeAt, type ListType, type ListTypeResolver } from '../k8s/listKeys';

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

interface Ctx {
  group: string;
  kind: string;
  resolver?: ListTypeResolver;
  removed: string[];
}

const join = (path: string, k: string) => (path ? `${path}.${k}` : k);

function keyOf(item: unknown, t: Extract<ListType, { type: 'map' }>): string | undefined {
  if (!isPlain(item)) return undefined;
  const parts: unknown[] = [];
  for (const k of t.keys) {
    const v = item[k] ?? t.keyDefaults?.[k];
    if (v === undefined) return undefined;
    parts.push(v);
  }
  return JSON.stringify(parts);
}

function keyLabel(item: Record<string, unknown>, t: Extract<ListType, { type: 'map' }>): string {
  return `[${t.keys.map((k) => `${k}=${String(item[k] ?? t.keyDefaults?.[k])}`).join(',')}]`;
}

/** The changed items of a keyed list, each reduced to its keys plus its own delta; undefined when the keys do not work. */
function mapListDelta(a: unknown[], b: unknown[], t: Extract<ListType, { type: 'map' }>, fields: string[], dotted: string, ctx: Ctx): unknown[] | undefined {
  const before = new Map<string, Record<string, unknown>>();
  for (const item of a) {
    const k = keyOf(item, t);
    if (k === undefined || before.has(k)) return undefined;
    before.set(k, item as Record<string, unknown>);
  }
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const item of b) {
    const k = keyOf(item, t);
    if (k === undefined || seen.has(k)) return undefined;
    seen.add(k);
    const old = before.get(k);
    const cur = item as Record<string, unknown>;
    if (!old) {
      out.push(cur);
      continue;
    }
    const d = objectDelta(old, cur, fields, `${dotted}${keyLabel(cur, t)}`, ctx);
    if (d === undefined) continue;
    const keys = Object.fromEntries(t.keys.filter((kk) => cur[kk] !== undefined).map((kk) => [kk, cur[kk]]));
    out.push({ ...keys, ...d });
  }
  for (const [k, item] of before) if (!seen.has(k)) ctx.removed.push(`${dotted}${keyLabel(item, t)}`);
  return out;
}

function listDelta(a: unknown[], b: unknown[], fields: string[], dotted: string, ctx: Ctx): unknown {
  const t = listTypeAt(ctx.group, ctx.kind, fields, ctx.resolver);
  if (t.type === 'map') {
    const removedBefore = ctx.removed.length;
    const d = mapListDelta(a, b, t, fields, dotted, ctx);
    if (d) return d.length ? d : undefined;
    ctx.removed.length = removedBefore;
  } else if (t.type === 'set') {
    for (const v of a) if (!b.some((x) => isDeepStrictEqual(x, v))) ctx.removed.push(`${dotted}[${JSON.stringify(v)}]`);
    const added = b.filter((v) => !a.some((x) => isDeepStrictEqual(x, v)));
    return added.length ? added : undefined;
  }
  return b;
}

/** The part of `b` that differs from `a`, or undefined when equal. `fields` is the field path (no list items). */
function delta(a: unknown, b: unknown, fields: string[], dotted: string, ctx: Ctx): unknown {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (isPlain(a) && isPlain(b)) return objectDelta(a, b, fields, dotted, ctx);
  if (Array.isArray(a) && Array.isArray(b)) return listDelta(a, b, fields, dotted, ctx);
  return b;
}

function objectDelta(a: Record<string, unknown>, b: Record<string, unknown>, fields: string[], dotted: string, ctx: Ctx): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(a)) if (!(k in b)) ctx.removed.push(join(dotted, k));
  for (const [k, v] of Object.entries(b)) {
    const d = k in a ? delta(a[k], v, [...fields, k], join(dotted, k), ctx) : v;
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length ? out : undefined;
}

export interface LiveEditBody {
  /** Apply body with the object's identity and the changed fields; undefined when nothing changed. */
  body?: KubeObject;
  /** Fields (and keyed list items / set values) deleted in the editor: an apply cannot remove what another manager owns. */
  removedPaths: string[];
}

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');

/** Pure: the server-side apply body of an edit of `original` (the object as opened) into `edited`. */
export function liveEditBody(original: KubeObject, edited: KubeObject, resolver?: ListTypeResolver): LiveEditBody {
  const ctx: Ctx = { group: groupOf(edited.apiVersion), kind: edited.kind, resolver, removed: [] };
  const strip = (o: KubeObject) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'status'));
  const d = objectDelta(strip(original), strip(edited), [], '', ctx);
  const removedPaths = ctx.removed;
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
