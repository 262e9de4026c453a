// Parses the diff engine's field paths (`spec.template.spec.containers[name=web].env[name=X].value`) into segments.
import { GitOpsError } from '../model';

export type PathSegment =
  | { kind: 'key'; key: string }
  /** A list item selected by its merge-key fields (values as written in the path, i.e. strings). */
  | { kind: 'match'; match: Record<string, string> }
  | { kind: 'index'; index: number }
  /** An item of a set-like list of scalars (`finalizers[=foo]`). */
  | { kind: 'value'; value: string };

/**
 * Accepts `a.b`, `a["x.y/z"]` or `a['x.y/z']` (keys containing dots, e.g. annotations), `list[k=v]`,
 * `list[k1=v1,k2=v2]` and `list[3]`. Match values may be quoted when they contain `,` or `]`.
 */
export function parseFieldPath(path: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new GitOpsError('invalid', `Invalid field path "${path}": ${why} at ${i}`);
  };
  const readQuoted = (): string => {
    const q = path[i];
    let out = '';
    i++;
    while (i < path.length && path[i] !== q) {
      if (path[i] === '\\' && i + 1 < path.length) i++;
      out += path[i++];
    }
    if (path[i] !== q) fail('unterminated quote');
    i++;
    return out;
  };
  while (i < path.length) {
    if (path[i] === '.') {
      if (segs.length === 0) fail('leading dot');
      i++;
      continue;
    }
    if (path[i] === '[') {
      i++;
      if (path[i] === '"' || path[i] === "'") {
        segs.push({ kind: 'key', key: readQuoted() });
      } else if (path[i] === '=') {
        i++;
        segs.push({ kind: 'value', value: path[i] === '"' || path[i] === "'" ? readQuoted() : readUntil([']']) });
      } else {
        const match: Record<string, string> = {};
        let body = '';
        let isMatch = false;
        while (i < path.length && path[i] !== ']') {
          const k = readUntil(['=', ']']);
          if (path[i] === '=') {
            isMatch = true;
            i++;
            const v = path[i] === '"' || path[i] === "'" ? readQuoted() : readUntil([',', ']']);
            match[k.trim()] = v;
            if (path[i] === ',') i++;
          } else body = k;
        }
        if (path[i] !== ']') fail('missing ]');
        if (isMatch) segs.push({ kind: 'match', match });
        else if (/^\d+$/.test(body.trim())) segs.push({ kind: 'index', index: Number(body.trim()) });
        else fail('expected [key=value] or [index]');
      }
      i++;
      continue;
    }
    const key = readUntil(['.', '[']);
    if (key === '') fail('empty key');
    segs.push({ kind: 'key', key });
  }
  if (segs.length === 0) throw new GitOpsError('invalid', 'Empty field path');
  return segs;

  function readUntil(stops: string[]): string {
    let out = '';
    while (i < path.length && !stops.includes(path[i])) out += path[i++];
    return out;
  }
}

export function formatFieldPath(segs: PathSegment[]): string {
  let out = '';
  for (const s of segs) {
    if (s.kind === 'key') out += /^[A-Za-z0-9_$-]+$/.test(s.key) ? (out ? '.' : '') + s.key : `["${s.key.replace(/["\\]/g, '\\$&')}"]`;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else if (s.kind === 'value') out += `[=${/[,\]"'=]/.test(s.value) ? JSON.stringify(s.value) : s.value}]`;
    else out += `[${Object.entries(s.match).map(([k, v]) => `${k}=${/[,\]"']/.test(v) ? JSON.stringify(v) : v}`).join(',')}]`;
  }
  return out;
}

/** Whether a YAML/JSON value matches a path match value (path values are strings; `80` matches 80). */
export function matchValueEquals(actual: unknown, expected: string): boolean {
  return actual !== null && actual !== undefined && typeof actual !== 'object' && String(actual) === expected;
}

/**
 * Value used when a list item must be created from a match segment. Digits become numbers
 * (ports are keyed by number) except for `name`, which is always a string in Kubernetes.
 */
export function matchValueToYaml(key: string, v: string): string | number {
  return key !== 'name' && /^(0|[1-9]\d{0,15})$/.test(v) ? Number(v) : v;
}
