// Which chart value produces a rendered field, found by asking the chart itself: the release is rendered again
// with one candidate value replaced by a unique marker, and the field is read back. A field maps to a value when
// exactly one candidate's marker lands in it — as the whole field, or (strings) between a prefix and suffix that
// the live value keeps, like the tag of `image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"`. The
// candidates are the release's effective scalar values equal to (or, for strings, contained in) the desired field
// value, so a chart with many values costs a few renders, not one per value.
import { randomBytes } from 'node:crypto';
import type { FieldChange, KubeObject, ObjectRef } from '../model';
import { throwIfAborted } from '../ports';
import { parseFieldPath, type PathSegment } from './fieldPath';

type Scalar = string | number | boolean;

/** A value path in the chart values, as keys (`['image', 'tag']`). */
export type ValuePath = string[];

export type ValueMapping =
  | {
      kind: 'value';
      path: ValuePath;
      /** The value the release has now (what renders the desired field). */
      current: Scalar;
      /** What to set it to so that the field renders as live. */
      value: Scalar;
      /** Other rendered fields this value also sets (`Kind/name field`), which change with it. */
      alsoSets: string[];
    }
  | { kind: 'none'; reason: string; candidates?: string[] };

export interface ProbeInput {
  /** The object whose fields changed (its kind, name, namespace in the render). */
  ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>;
  /** The release's effective values (chart defaults and every values layer merged). */
  values: Record<string, unknown>;
  /** Renders the release with one value replaced; rejects (or returns an error message) when the chart fails. */
  render: (path: ValuePath, value: Scalar, signal?: AbortSignal) => Promise<KubeObject[] | string>;
  changes: FieldChange[];
  signal?: AbortSignal;
  /** At most this many probe renders in all (default 24). */
  maxRenders?: number;
}

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const showPath = (p: ValuePath): string => p.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join('.');

/** Scalar leaves of a values tree (list items are left out: helm replaces lists whole). */
function leaves(values: Record<string, unknown>, prefix: ValuePath = [], out: Array<[ValuePath, Scalar]> = []): Array<[ValuePath, Scalar]> {
  for (const [k, v] of Object.entries(values)) {
    if (isMap(v)) leaves(v, [...prefix, k], out);
    else if (isScalar(v)) out.push([[...prefix, k], v]);
  }
  return out;
}

export function valueAtPath(root: unknown, segs: PathSegment[]): unknown {
  let cur: unknown = root;
  for (const s of segs) {
    if (s.kind === 'key') cur = isMap(cur) ? cur[s.key] : undefined;
    else if (!Array.isArray(cur)) return undefined;
    else if (s.kind === 'index') cur = cur[s.index];
    else if (s.kind === 'value') cur = cur.find((it) => String(it) === s.value);
    else cur = cur.find((it) => isMap(it) && Object.entries(s.match).every(([k, v]) => String(it[k]) === v));
  }
  return cur;
}

/** The value to write, typed as the current one when the live text is that type (a quoted number stays a number). */
function typedLike(current: Scalar, text: string): Scalar {
  if (typeof current === 'number' && /^-?\d+(\.\d+)?$/.test(text) && String(Number(text)) === text) return Number(text);
  if (typeof current === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function sameScalar(a: unknown, b: unknown): boolean {
  return isScalar(a) && isScalar(b) && String(a) === String(b);
}

const same = (o: KubeObject, ref: ProbeInput['ref']): boolean => o.kind === ref.kind && o.metadata?.name === ref.name && (ref.namespace === undefined || (o.metadata?.namespace ?? '') === ref.namespace);

/** Fields (`Kind/name path`) holding the marker, other than `skip` of the probed object. */
function fieldsHolding(objects: KubeObject[], marker: string, ref: ProbeInput['ref'], skip: Set<string>): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (!JSON.stringify(o).includes(marker)) continue;
    const walk = (v: unknown, p: string): void => {
      if (typeof v === 'string' || typeof v === 'number') {
        if (String(v).includes(marker) && !(same(o, ref) && skip.has(p))) out.push(`${o.kind}/${o.metadata?.name ?? ''} ${p}`);
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
      else if (isMap(v)) for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
    };
    walk(o, '');
  }
  return out;
}

/** Maps each change (by its path) to the one chart value that renders it, or says why none is taken. */
export async function mapFieldsToValues(input: ProbeInput): Promise<Map<string, ValueMapping>> {
  const out = new Map<string, ValueMapping>();
  const all = leaves(input.values);
  const probes = new Map<string, { marker: Scalar; objects: KubeObject[] | string }>();
  let budget = input.maxRenders ?? 24;
  const nonce = randomBytes(4).toString('hex');
  let n = 0;
  const probe = async (p: ValuePath, current: Scalar) => {
    const key = JSON.stringify(p);
    let r = probes.get(key);
    if (!r) {
      throwIfAborted(input.signal);
      n++;
      // A marker of the value's own type, so that numeric and boolean template logic still renders.
      const marker: Scalar = typeof current === 'boolean' ? !current : typeof current === 'number' ? 700_000_000 + parseInt(nonce.slice(0, 5), 16) * 64 + n : `gdprobe${nonce}x${n}`;
      budget--;
      r = { marker, objects: await input.render(p, marker, input.signal).catch((e: unknown) => (e as Error).message) };
      probes.set(key, r);
    }
    return r;
  };
  const changedPaths = new Set(input.changes.map((c) => c.path));

  for (const c of input.changes) {
    if (!isScalar(c.live) || !isScalar(c.desired)) {
      out.set(c.path, { kind: 'none', reason: c.live === undefined ? 'a removed field is not one chart value' : 'only a scalar field maps to one chart value' });
      continue;
    }
    const desired = String(c.desired);
    const exact = all.filter(([, v]) => String(v) === desired);
    const parts = typeof c.desired === 'string' ? all.filter(([, v]) => typeof v !== 'boolean' && String(v).length >= 2 && String(v) !== desired && desired.includes(String(v))) : [];
    const candidates = [...exact, ...parts];
    if (!candidates.length) {
      out.set(c.path, { kind: 'none', reason: `no value of the release equals or appears in ${JSON.stringify(c.desired)}` });
      continue;
    }
    const segs = parseFieldPath(c.path);
    const found: ValueMapping[] = [];
    const failed: string[] = [];
    let skipped = 0;
    for (const [p, current] of candidates) {
      if (budget <= 0 && !probes.has(JSON.stringify(p))) {
        skipped++;
        continue;
      }
      const { marker, objects } = await probe(p, current);
      if (typeof objects === 'string') {
        failed.push(showPath(p));
        continue;
      }
      const obj = objects.find((o) => same(o, input.ref));
      const field = obj ? valueAtPath(obj, segs) : undefined;
      if (!isScalar(field)) continue;
      const text = String(field);
      const m = String(marker);
      let value: Scalar | undefined;
      if (typeof marker === 'boolean' ? sameScalar(field, marker) : text === m) {
        if (String(current) === desired) value = typedLike(current, String(c.live));
      } else if (typeof marker === 'string' && text.split(m).length === 2) {
        const [prefix, suffix] = text.split(m);
        const live = String(c.live);
        if (prefix + String(current) + suffix === desired && live.length >= prefix.length + suffix.length && live.startsWith(prefix) && live.endsWith(suffix)) {
          const middle = live.slice(prefix.length, live.length - suffix.length);
          // The value's part of the field must be all that changed, and must still be a value of its own.
          if (middle !== '') value = typedLike(current, middle);
        }
      }
      if (value === undefined) continue;
      const alsoSets = fieldsHolding(objects, m, input.ref, changedPaths);
      found.push({ kind: 'value', path: p, current, value, alsoSets: typeof marker === 'boolean' ? [] : alsoSets });
    }
    if (found.length === 1) out.set(c.path, found[0]);
    else if (found.length > 1) {
      out.set(c.path, { kind: 'none', reason: `several chart values render it: ${found.map((f) => (f.kind === 'value' ? showPath(f.path) : '')).join(', ')}`, candidates: found.map((f) => (f.kind === 'value' ? showPath(f.path) : '')) });
    } else {
      const tried = candidates.map(([p]) => showPath(p));
      const why = [failed.length ? `the chart did not render with a changed ${failed.join(', ')}` : '', skipped ? `${skipped} candidates not tried` : ''].filter(Boolean).join('; ');
      out.set(c.path, { kind: 'none', reason: `no single chart value renders the change (tried ${tried.slice(0, 6).join(', ')}${tried.length > 6 ? ', …' : ''})${why ? `; ${why}` : ''}`, candidates: tried });
    }
  }
  return out;
}
