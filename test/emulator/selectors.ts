// Label and field selectors in the query-string syntax kube-apiserver accepts.
import { ApiError } from './apiStatus';

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (obj: Record<string, any>) => boolean;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function parseLabelRequirement(part: string): Requirement {
  let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
  if (m) return { op: m[2] as 'in' | 'notin', key: m[1], values: m[3].split(',').map((v) => v.trim()) };
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$/.exec(part);
  if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1], value: m[3] };
  m = /^!\s*([^\s!=()]+)$/.exec(part);
  if (m) return { op: 'notexists', key: m[1] };
  m = /^([^\s!=()]+)$/.exec(part);
  if (m) return { op: 'exists', key: m[1] };
  throw new ApiError('BadRequest', `unable to parse requirement: ${part}`);
}

function matches(reqs: Requirement[], values: Record<string, string>): boolean {
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(values, r.key);
    const v = values[r.key];
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.value) return false;
        break;
      case 'neq':
        if (has && v === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function parseLabelSelector(s: string | null | undefined): Matcher | undefined {
  if (!s) return undefined;
  const reqs = splitTopLevel(s).map(parseLabelRequirement);
  return (obj) => matches(reqs, obj.metadata?.labels ?? {});
}

const FIELDS: Record<string, (o: Record<string, any>) => string> = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

export function parseFieldSelector(s: string | null | undefined): Matcher | undefined {
  if (!s) return undefined;
  const reqs = splitTopLevel(s).map((part) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new ApiError('BadRequest', `invalid selector: '${s}'; can't understand '${part}'`);
    const field = m[1].trim();
    const get = FIELDS[field];
    if (!get) throw new ApiError('BadRequest', `field label not supported: ${field}`);
    return { get, neq: m[2] === '!=', value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (r.get(obj) === r.value) !== r.neq);
}

export function combine(...ms: (Matcher | undefined)[]): Matcher | undefined {
  const list = ms.filter((m): m is Matcher => m !== undefined);
  if (list.length === 0) return undefined;
  return (obj) => list.every((m) => m(obj));
}
