// The values helm-controller installs a HelmRelease with (fluxcd/pkg/chartutil ChartValuesFromReferences):
// `valuesFrom` ConfigMaps/Secrets in the HelmRelease's namespace, in order, each key's YAML merged over the ones
// before (or, with `targetPath`, its text set at that path as `helm --set` would), then `spec.values` merged
// over all. A missing object or key fails unless `optional`. Secret contents are only ever used as values: no
// message names more than the object and key.
import { parse } from 'yaml';
import { GitOpsError, isGitOpsError, type KubeObject } from '../model';
import type { ObjectLookup } from './fluxVariables';

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** chartutil.MergeMaps: `b` over `a`, maps merged recursively, anything else replaced. */
export function mergeValues(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isMap(v) && isMap(cur) ? mergeValues(cur, v) : v;
  }
  return out;
}

/** Helm strvals' typing of an unquoted `--set` value: bools, null, 64-bit integers without leading zeros, else text. */
function typedValue(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null') return null;
  if (/^-?(0|[1-9]\d*)$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}

/**
 * ReplacePathValue: `path=value` parsed as `helm --set` (quoted values as `--set-string`). Dotted paths with `\.`
 * escapes and `name[i]` list indexes; a value holding `,` (several assignments to strvals) is refused rather than
 * guessed.
 */
export function setPathValue(values: Values, targetPath: string, raw: string, literal = false): void {
  const quoted = /^'.*'$|^".*"$/s.test(raw) && raw.length >= 2;
  const text = quoted && !literal ? raw.replace(/^['"]+|['"]+$/g, '') : raw;
  if (!quoted && !literal && /[,{}]/.test(text)) throw new Error(`a value with ',' or braces at targetPath ${targetPath} is not supported here`);
  // `literal: true` (ReplacePathLiteralValue): the text as it is, a string.
  const value = quoted || literal ? text : typedValue(text);
  const parts = targetPath.replace(/\\\./g, '\u0000').split('.').map((p) => p.replace(/\u0000/g, '.'));
  let cur: Values | unknown[] = values;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const m = /^(.*?)\[(\d+)\]$/.exec(part);
    const key = m ? m[1] : part;
    if (key === '') throw new Error(`targetPath ${targetPath} is not valid`);
    const holder = cur as Values;
    if (m) {
      const list = Array.isArray(holder[key]) ? (holder[key] as unknown[]) : [];
      holder[key] = list;
      const idx = Number(m[2]);
      while (list.length <= idx) list.push(null);
      if (last) list[idx] = value;
      else {
        if (!isMap(list[idx])) list[idx] = {};
        cur = list[idx] as Values;
      }
      return;
    }
    if (last) holder[key] = value;
    else {
      if (!isMap(holder[key])) holder[key] = {};
      cur = holder[key] as Values;
    }
  });
}

function dataOf(obj: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  const rec = obj as { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  for (const [k, v] of Object.entries(rec.data ?? {})) if (typeof v === 'string') out.set(k, obj.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v);
  // A Secret manifest in Git may use stringData (the API server folds it into data).
  if (obj.kind === 'Secret') for (const [k, v] of Object.entries(rec.stringData ?? {})) if (typeof v === 'string') out.set(k, v);
  return out;
}

export interface HelmReleaseValues {
  values: Values;
  /** True when some value came from a Secret (the render then holds Secret data). */
  fromSecret: boolean;
}

/** The merged values of a HelmRelease (`spec.values` over its `valuesFrom`). */
export async function helmReleaseValues(hr: KubeObject, lookup: ObjectLookup, signal?: AbortSignal): Promise<HelmReleaseValues> {
  const spec = isMap(hr.spec) ? hr.spec : {};
  const namespace = hr.metadata.namespace ?? 'flux-system';
  const own = isMap(spec.values) ? spec.values : {};
  let result: Values = {};
  let fromSecret = false;
  const read = new Map<string, KubeObject | undefined>();
  for (const ref of (Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []).filter(isMap)) {
    const kind = ref.kind === 'Secret' || ref.kind === 'ConfigMap' ? ref.kind : undefined;
    const name = typeof ref.name === 'string' ? ref.name : '';
    const key = typeof ref.valuesKey === 'string' && ref.valuesKey !== '' ? ref.valuesKey : 'values.yaml';
    const optional = ref.optional === true;
    const what = `${String(ref.kind)} chart values reference '${namespace}/${name}' with key '${key}'`;
    if (!kind) throw new GitOpsError('invalid', `could not resolve ${what}: unsupported values reference kind`);
    const id = `${kind}/${name}`;
    if (!read.has(id)) {
      try {
        read.set(id, await lookup(kind, namespace, name, signal));
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        throw new GitOpsError(isGitOpsError(e) ? e.reason : 'render', `could not resolve ${what}: ${(e as Error).message}`);
      }
    }
    const obj = read.get(id);
    if (!obj) {
      if (optional) continue;
      throw new GitOpsError('notFound', `could not resolve ${what}: resource not found`);
    }
    const data = dataOf(obj).get(key);
    if (data === undefined) {
      if (optional) continue;
      throw new GitOpsError('notFound', `could not resolve ${what}: key not found`);
    }
    if (kind === 'Secret') fromSecret = true;
    const target = typeof ref.targetPath === 'string' ? ref.targetPath : '';
    if (target) {
      result = mergeValues(result, own);
      try {
        setPathValue(result, target, data, ref.literal === true);
      } catch (e) {
        throw new GitOpsError('render', `could not resolve ${what}: failed to merge value: ${(e as Error).message}`);
      }
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parse(data);
    } catch {
      // The YAML parser's message quotes the text: never for a Secret's.
      throw new GitOpsError('parse', `could not resolve ${what}: failed to read values data`);
    }
    if (parsed !== null && parsed !== undefined && !isMap(parsed)) throw new GitOpsError('parse', `could not resolve ${what}: failed to read values data (not a map)`);
    result = mergeValues(result, (parsed as Values | null) ?? {});
  }
  return { values: mergeValues(result, own), fromSecret };
}
