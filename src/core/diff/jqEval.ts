// A small jq evaluator for the conditions Argo CD users write inside `select(...)` of jqPathExpressions:
// paths (`.a.b`, `.["k"]`, `.[0]`, `.[]`, `?`), literals, `|`, `and` / `or` / `not`, comparisons
// (== != < <= > >=), parentheses, and the functions startswith, endswith, test, contains, has, any, all, index,
// plus length, keys, type, tostring, ascii_downcase, ascii_upcase, ltrimstr, rtrimstr, select, empty.
// Anything else is rejected when compiled (GitOpsError 'invalid'); evaluation errors (e.g. startswith on a number)
// throw JqRuntimeError, which `?` catches as jq does. No recursion or loops: evaluation is bounded.
import { GitOpsError } from '../model';
import { canonicalJson, isObject } from '../k8s/json';

export type JqNode =
  | { t: 'identity' }
  | { t: 'field'; of: JqNode; name: string }
  | { t: 'index'; of: JqNode; idx: JqNode }
  | { t: 'iterate'; of: JqNode }
  | { t: 'optional'; of: JqNode }
  | { t: 'lit'; v: unknown }
  | { t: 'pipe' | 'or' | 'and'; l: JqNode; r: JqNode }
  | { t: 'cmp'; op: string; l: JqNode; r: JqNode }
  | { t: 'call'; name: string; args: JqNode[] };

export class JqRuntimeError extends Error {}

const FUNCS: Record<string, number[]> = {
  not: [0], length: [0], keys: [0], type: [0], tostring: [0], ascii_downcase: [0], ascii_upcase: [0], empty: [0],
  any: [0, 1], all: [0, 1], has: [1], startswith: [1], endswith: [1], contains: [1], index: [1], ltrimstr: [1], rtrimstr: [1], select: [1], test: [1, 2],
};

type Tok = { k: 'str' | 'num' | 'id' | 'field' | 'op'; v: string };

function tokenize(src: string, expr: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|\.([A-Za-z_][\w-]*)|([A-Za-z_][\w]*)|(==|!=|<=|>=|[<>|()[\],.?;])/gy;
  let pos = 0;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ k: 'str', v: m[1] });
    else if (m[2] !== undefined) out.push({ k: 'num', v: m[2] });
    else if (m[3] !== undefined) out.push({ k: 'field', v: m[3] });
    else if (m[4] !== undefined) out.push({ k: 'id', v: m[4] });
    else if (m[5] !== undefined) out.push({ k: 'op', v: m[5] });
  }
  if (pos !== src.length) throw new GitOpsError('invalid', `Unsupported jq in "${expr}" near "${src.slice(pos)}"`);
  return out;
}

/** Parses a jq filter of the supported subset. */
export function parseJq(src: string, expr = src): JqNode {
  const toks = tokenize(src, expr);
  let i = 0;
  const fail = (why: string): never => {
    throw new GitOpsError('invalid', `Unsupported jq in "${expr}": ${why}`);
  };
  const parseString = (raw: string): string => {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail(`bad string ${raw}`);
    }
  };
  const peek = (v: string) => toks[i]?.k === 'op' && toks[i].v === v;
  const eat = (v: string) => (peek(v) ? (i++, true) : false);
  const expect = (v: string) => (eat(v) ? undefined : fail(`expected "${v}"`));

  const pipe = (): JqNode => {
    let l = or();
    while (eat('|')) l = { t: 'pipe', l, r: or() };
    return l;
  };
  const or = (): JqNode => {
    let l = and();
    while (toks[i]?.k === 'id' && toks[i].v === 'or') {
      i++;
      l = { t: 'or', l, r: and() };
    }
    return l;
  };
  const and = (): JqNode => {
    let l = cmp();
    while (toks[i]?.k === 'id' && toks[i].v === 'and') {
      i++;
      l = { t: 'and', l, r: cmp() };
    }
    return l;
  };
  const cmp = (): JqNode => {
    const l = postfix();
    const t = toks[i];
    if (t?.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      i++;
      return { t: 'cmp', op: t.v, l, r: postfix() };
    }
    return l;
  };
  const suffixes = (n: JqNode): JqNode => {
    for (;;) {
      const t = toks[i];
      if (t?.k === 'field') {
        i++;
        n = { t: 'field', of: n, name: t.v };
      } else if (peek('.') && toks[i + 1]?.k === 'str') {
        i++;
        n = { t: 'field', of: n, name: parseString(toks[i++].v) };
      } else if (peek('[') || (peek('.') && toks[i + 1]?.k === 'op' && toks[i + 1].v === '[')) {
        if (peek('.')) i++;
        i++;
        if (eat(']')) n = { t: 'iterate', of: n };
        else {
          n = { t: 'index', of: n, idx: pipe() };
          expect(']');
        }
      } else if (eat('?')) n = { t: 'optional', of: n };
      else return n;
    }
  };
  const primary = (): JqNode => {
    const t = toks[i];
    if (!t) return fail('unexpected end');
    if (t.k === 'field') return { t: 'identity' }; // `.name` is identity followed by a field suffix
    if (t.k === 'str') return (i++, { t: 'lit', v: parseString(t.v) });
    if (t.k === 'num') return (i++, { t: 'lit', v: Number(t.v) });
    if (t.k === 'op' && t.v === '.') {
      if (toks[i + 1]?.k === 'str' || (toks[i + 1]?.k === 'op' && toks[i + 1].v === '[')) return { t: 'identity' };
      i++;
      return { t: 'identity' };
    }
    if (eat('(')) {
      const e = pipe();
      expect(')');
      return e;
    }
    if (t.k === 'id') {
      i++;
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { t: 'lit', v: null };
      const arities = FUNCS[t.v];
      if (!arities) return fail(`function ${t.v} is not supported`);
      const args: JqNode[] = [];
      if (eat('(')) {
        args.push(pipe());
        while (eat(';')) args.push(pipe());
        expect(')');
      }
      if (!arities.includes(args.length)) return fail(`${t.v}/${args.length} is not supported`);
      return { t: 'call', name: t.v, args };
    }
    return fail(`unexpected "${t.v}"`);
  };
  const postfix = (): JqNode => suffixes(primary());
  const node = pipe();
  if (i !== toks.length) fail(`unexpected "${toks[i].v}"`);
  return node;
}

export const truthy = (v: unknown): boolean => v !== false && v !== null && v !== undefined;

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

const ORDER = ['null', 'boolean', 'number', 'string', 'array', 'object'];
function compare(a: unknown, b: unknown): number {
  const ta = ORDER.indexOf(typeOf(a));
  const tb = ORDER.indexOf(typeOf(b));
  if (ta !== tb) return ta - tb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = canonicalJson(a ?? null);
  const y = canonicalJson(b ?? null);
  return x < y ? -1 : x > y ? 1 : 0;
}

function contains(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) return b.every((x) => a.some((y) => contains(y, x)));
  if (isObject(a) && isObject(b)) return Object.entries(b).every(([k, v]) => Object.hasOwn(a, k) && contains(a[k], v));
  if (typeOf(a) !== typeOf(b)) throw new JqRuntimeError(`${typeOf(a)} and ${typeOf(b)} cannot have their containment checked`);
  return a === b;
}

const str = (v: unknown, fn: string): string => {
  if (typeof v !== 'string') throw new JqRuntimeError(`${fn}() requires string inputs`);
  return v;
};

function items(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  throw new JqRuntimeError(`Cannot iterate over ${typeOf(v)}`);
}

/** The stream of values the filter yields for `input`. */
export function evalJq(n: JqNode, input: unknown): unknown[] {
  switch (n.t) {
    case 'identity':
      return [input];
    case 'lit':
      return [n.v];
    case 'field':
      return evalJq(n.of, input).map((v) => {
        if (v === null || v === undefined) return null;
        if (!isObject(v)) throw new JqRuntimeError(`Cannot index ${typeOf(v)} with "${n.name}"`);
        return Object.hasOwn(v, n.name) ? v[n.name] : null;
      });
    case 'index':
      return evalJq(n.of, input).flatMap((v) =>
        evalJq(n.idx, input).map((k) => {
          if (v === null || v === undefined) return null;
          if (typeof k === 'number' && Array.isArray(v)) return v[k < 0 ? v.length + k : k] ?? null;
          if (typeof k === 'string' && isObject(v)) return Object.hasOwn(v, k) ? v[k] : null;
          throw new JqRuntimeError(`Cannot index ${typeOf(v)} with ${typeOf(k)}`);
        }),
      );
    case 'iterate':
      return evalJq(n.of, input).flatMap(items);
    case 'optional':
      try {
        return evalJq(n.of, input);
      } catch (e) {
        if (e instanceof JqRuntimeError) return [];
        throw e;
      }
    case 'pipe':
      return evalJq(n.l, input).flatMap((v) => evalJq(n.r, v));
    case 'and':
    case 'or':
      return evalJq(n.l, input).flatMap((a) => {
        if (n.t === 'and' && !truthy(a)) return [false];
        if (n.t === 'or' && truthy(a)) return [true];
        return evalJq(n.r, input).map(truthy);
      });
    case 'cmp':
      return evalJq(n.r, input).flatMap((b) =>
        evalJq(n.l, input).map((a) => {
          const c = compare(a, b);
          switch (n.op) {
            case '==':
              return c === 0;
            case '!=':
              return c !== 0;
            case '<':
              return c < 0;
            case '<=':
              return c <= 0;
            case '>':
              return c > 0;
            default:
              return c >= 0;
          }
        }),
      );
    case 'call':
      return call(n.name, n.args, input);
  }
}

function call(name: string, args: JqNode[], input: unknown): unknown[] {
  const arg = (k: number) => evalJq(args[k], input);
  switch (name) {
    case 'not':
      return [!truthy(input)];
    case 'empty':
      return [];
    case 'length':
      if (input === null || input === undefined) return [0];
      if (typeof input === 'string' || Array.isArray(input)) return [input.length];
      if (isObject(input)) return [Object.keys(input).length];
      if (typeof input === 'number') return [Math.abs(input)];
      throw new JqRuntimeError(`${typeOf(input)} has no length`);
    case 'keys':
      if (isObject(input)) return [Object.keys(input).sort()];
      if (Array.isArray(input)) return [input.map((_, i) => i)];
      throw new JqRuntimeError(`${typeOf(input)} has no keys`);
    case 'type':
      return [typeOf(input)];
    case 'tostring':
      return [typeof input === 'string' ? input : canonicalJson(input ?? null)];
    case 'ascii_downcase':
      return [str(input, name).toLowerCase()];
    case 'ascii_upcase':
      return [str(input, name).toUpperCase()];
    case 'select':
      return arg(0).some(truthy) ? [input] : [];
    case 'any':
    case 'all': {
      const xs = items(input);
      const test = (x: unknown) => (args.length ? evalJq(args[0], x).some(truthy) : truthy(x));
      return [name === 'any' ? xs.some(test) : xs.every(test)];
    }
    case 'has':
      return arg(0).map((k) => {
        if (isObject(input) && typeof k === 'string') return Object.hasOwn(input, k);
        if (Array.isArray(input) && typeof k === 'number') return k >= 0 && k < input.length;
        throw new JqRuntimeError(`Cannot check whether ${typeOf(input)} has a ${typeOf(k)} key`);
      });
    case 'startswith':
      return arg(0).map((s) => str(input, name).startsWith(str(s, name)));
    case 'endswith':
      return arg(0).map((s) => str(input, name).endsWith(str(s, name)));
    case 'ltrimstr':
      return arg(0).map((s) => (typeof input === 'string' && typeof s === 'string' && input.startsWith(s) ? input.slice(s.length) : input));
    case 'rtrimstr':
      return arg(0).map((s) => (typeof input === 'string' && typeof s === 'string' && s && input.endsWith(s) ? input.slice(0, -s.length) : input));
    case 'contains':
      return arg(0).map((b) => contains(input, b));
    case 'index':
      return arg(0).map((s) => {
        if (input === null || input === undefined) return null;
        if (typeof input === 'string' && typeof s === 'string') {
          const i = input.indexOf(s);
          return i < 0 ? null : i;
        }
        if (Array.isArray(input)) {
          const i = input.findIndex((x) => compare(x, s) === 0);
          return i < 0 ? null : i;
        }
        throw new JqRuntimeError(`Cannot index ${typeOf(input)} with ${typeOf(s)}`);
      });
    case 'test': {
      const flags = args.length > 1 ? arg(1).map((f) => str(f, name)) : [''];
      return arg(0).flatMap((re) =>
        flags.map((f) => {
          let rx: RegExp;
          try {
            rx = new RegExp(str(re, name), [...new Set(f.replace(/[^ixsm]/g, '').replace('x', ''))].join(''));
          } catch (e) {
            throw new JqRuntimeError(`${re} cannot be matched, as it is not a valid regex: ${(e as Error).message}`);
          }
          return rx.test(str(input, name));
        }),
      );
    }
  }
  throw new JqRuntimeError(`${name} is not defined`);
}
