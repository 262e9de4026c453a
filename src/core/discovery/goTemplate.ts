// ApplicationSet `goTemplate: true`: Go text/template with the Sprig functions Argo CD offers, evaluated per string
// as the ApplicationSet controller does. Hand-written for the subset ApplicationSets use (fields, pipelines,
// parentheses, if/else if/else, the Go builtins and the common Sprig string, list, path and math functions, Argo's
// `normalize`); anything else is a GoTemplateError that names it, never a guessed value. Checked against the real
// text/template + Sprig (test/gotemplate, `npm run tools`) by test/unit/discovery/goTemplate.referee.test.ts.
import * as path from 'node:path/posix';
import { GoTemplateError } from './goTemplateError';
import { type Token, tokenizeAction } from './goTemplateLex';
import { sanitizeName } from './sanitizeName';

export { GoTemplateError };

export interface GoTemplateOptions {
  /** `missingkey=error` in the ApplicationSet's goTemplateOptions: a missing map key is an error. */
  missingKeyError?: boolean;
}

/** A Go int (len, Sprig math): printed and compared as an integer, unlike JSON numbers (Go float64). */
class GoInt {
  constructor(readonly v: number) {}
}

/** A missing map key (Go's zero reflect.Value): prints as `<no value>`. */
const MISSING = Symbol('missing');

type Value = unknown;
type Expr =
  | { k: 'dot'; fields: string[] }
  | { k: 'var'; fields: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'fn'; name: string }
  | { k: 'paren'; p: Pipeline };
type Command = Expr[];
type Pipeline = Command[];
type Node = { k: 'text'; v: string } | { k: 'print'; p: Pipeline } | { k: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise: Node[] };

/** Renders one template string with `data` (the generator's parameters). */
export function renderGoTemplate(text: string, data: unknown, opts: GoTemplateOptions = {}): string {
  const nodes = parse(text);
  return exec(nodes, { dot: data, opts });
}

// ---- parsing ----

interface Action {
  kind: 'text' | 'action';
  text: string;
}

function split(text: string): Action[] {
  const out: Action[] = [];
  let i = 0;
  let trimNext = false;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    let literal = open < 0 ? text.slice(i) : text.slice(i, open);
    if (trimNext) literal = literal.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      out.push({ kind: 'text', text: literal });
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(text.slice(start, start + 2))) {
      literal = literal.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ kind: 'text', text: literal });
    const close = findClose(text, start);
    if (close < 0) throw new GoTemplateError(`unclosed action in "${text}"`);
    let inner = text.slice(start, close);
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      trimNext = true;
    }
    out.push({ kind: 'action', text: inner.trim() });
    i = close + 2;
  }
  return out;
}

/** The `}}` that ends the action starting at `i`, skipping quoted strings. */
function findClose(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      for (j++; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++;
    } else if (c === '`') {
      j = text.indexOf('`', j + 1);
      if (j < 0) return -1;
    } else if (c === '}' && text[j + 1] === '}') return j;
  }
  return -1;
}

function parse(text: string): Node[] {
  const parts = split(text);
  let pos = 0;
  const block = (inIf: boolean): { nodes: Node[]; end: 'end' | 'else' | 'elseif' | 'eof'; cond?: Pipeline } => {
    const nodes: Node[] = [];
    while (pos < parts.length) {
      const part = parts[pos++];
      if (part.kind === 'text') {
        if (part.text) nodes.push({ k: 'text', v: part.text });
        continue;
      }
      if (part.text.startsWith('/*')) continue; // a comment
      const tokens = tokenizeAction(part.text);
      const head = tokens[0];
      if (head?.t === 'ident' && ['range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(head.v)) {
        throw new GoTemplateError(`"{{${head.v}}}" is not evaluated locally`);
      }
      if (head?.t === 'ident' && head.v === 'end') {
        if (!inIf) throw new GoTemplateError('unexpected {{end}}');
        return { nodes, end: 'end' };
      }
      if (head?.t === 'ident' && head.v === 'else') {
        if (!inIf) throw new GoTemplateError('unexpected {{else}}');
        if (tokens[1]?.t === 'ident' && tokens[1].v === 'if') return { nodes, end: 'elseif', cond: pipeline(tokens.slice(2)) };
        return { nodes, end: 'else' };
      }
      if (head?.t === 'ident' && head.v === 'if') {
        const branches: { cond: Pipeline; body: Node[] }[] = [];
        let cond = pipeline(tokens.slice(1));
        let otherwise: Node[] = [];
        for (;;) {
          const b = block(true);
          branches.push({ cond, body: b.nodes });
          if (b.end === 'elseif') {
            cond = b.cond!;
            continue;
          }
          if (b.end === 'else') {
            const rest = block(true);
            if (rest.end !== 'end') throw new GoTemplateError('{{else}} without {{end}}');
            otherwise = rest.nodes;
          } else if (b.end !== 'end') throw new GoTemplateError('{{if}} without {{end}}');
          break;
        }
        nodes.push({ k: 'if', branches, otherwise });
        continue;
      }
      nodes.push({ k: 'print', p: pipeline(tokens) });
    }
    return { nodes, end: 'eof' };
  };
  return block(false).nodes;
}

function pipeline(tokens: Token[]): Pipeline {
  let i = 0;
  const parsePipeline = (closing: boolean): Pipeline => {
    const cmds: Pipeline = [];
    let cmd: Command = [];
    for (; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.t === 'pipe') {
        if (!cmd.length) throw new GoTemplateError('missing command before |');
        cmds.push(cmd);
        cmd = [];
      } else if (t.t === 'rparen') {
        if (!closing) throw new GoTemplateError('unexpected )');
        break;
      } else if (t.t === 'lparen') {
        i++;
        const inner = parsePipeline(true);
        if (tokens[i]?.t !== 'rparen') throw new GoTemplateError('unclosed (');
        const after = tokens[i + 1];
        if (after?.t === 'field') throw new GoTemplateError('a field of a parenthesized value is not evaluated locally');
        cmd.push({ k: 'paren', p: inner });
      } else if (t.t === 'assign') throw new GoTemplateError('template variables (:=) are not evaluated locally');
      else cmd.push(operand(t));
    }
    if (!cmd.length) throw new GoTemplateError('missing value for command');
    cmds.push(cmd);
    return cmds;
  };
  const p = parsePipeline(false);
  if (i < tokens.length) throw new GoTemplateError('unexpected )');
  return p;
}

function operand(t: Token): Expr {
  switch (t.t) {
    case 'field':
      return { k: 'dot', fields: t.v };
    case 'var':
      if (t.name !== '$') throw new GoTemplateError(`variable ${t.name} is not evaluated locally`);
      return { k: 'var', fields: t.v };
    case 'string':
      return { k: 'lit', v: t.v };
    case 'number':
      return { k: 'lit', v: Number.isInteger(t.v) && !t.float ? new GoInt(t.v) : t.v };
    case 'ident':
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (t.v === 'nil') return { k: 'lit', v: null };
      return { k: 'fn', name: t.v };
    default:
      throw new GoTemplateError(`unexpected ${t.t}`);
  }
}

// ---- evaluation ----

interface Scope {
  dot: unknown;
  opts: GoTemplateOptions;
}

function exec(nodes: Node[], s: Scope): string {
  let out = '';
  for (const n of nodes) {
    if (n.k === 'text') out += n.v;
    else if (n.k === 'print') out += print(evalPipeline(n.p, s), true);
    else {
      const hit = n.branches.find((b) => truthy(evalPipeline(b.cond, s)));
      out += exec(hit ? hit.body : n.otherwise, s);
    }
  }
  return out;
}

function evalPipeline(p: Pipeline, s: Scope): Value {
  let prev: Value | undefined;
  let first = true;
  for (const cmd of p) {
    prev = evalCommand(cmd, s, first ? undefined : { v: prev });
    first = false;
  }
  return prev;
}

function evalCommand(cmd: Command, s: Scope, piped?: { v: Value }): Value {
  const [head, ...rest] = cmd;
  if (head.k === 'fn') {
    const args = rest.map((e) => evalExpr(e, s));
    if (piped) args.push(piped.v);
    return callFunction(head.name, args);
  }
  if (rest.length || piped) throw new GoTemplateError(`can't give argument to non-function ${describe(head)}`);
  return evalExpr(head, s);
}

function describe(e: Expr): string {
  return e.k === 'dot' ? `.${e.fields.join('.')}` : e.k === 'lit' ? print(e.v, false) : e.k;
}

function evalExpr(e: Expr, s: Scope): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'paren':
      return evalPipeline(e.p, s);
    case 'fn':
      return callFunction(e.name, []);
    case 'dot':
    case 'var':
      return fieldChain(s.dot, e.fields, s.opts);
  }
}

function fieldChain(start: unknown, fields: string[], opts: GoTemplateOptions): Value {
  let v: Value = start;
  for (const f of fields) {
    if (v === null) throw new GoTemplateError(`nil pointer evaluating interface {}.${f}`);
    if (v === MISSING || v === undefined) {
      // Go goes on with the zero value: a field of a missing key is missing too (an error with missingkey=error).
      if (opts.missingKeyError) throw new GoTemplateError(`nil data; no entry for key "${f}"`);
      v = MISSING;
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v) || v instanceof GoInt) throw new GoTemplateError(`can't evaluate field ${f} in type ${goType(v)}`);
    const o = v as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(o, f)) {
      if (opts.missingKeyError) throw new GoTemplateError(`map has no entry for key "${f}"`);
      v = MISSING;
    } else v = o[f];
  }
  return v;
}

function goType(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (v instanceof GoInt) return 'int';
  if (Array.isArray(v)) return '[]interface {}';
  return 'interface {}';
}

function truthy(v: Value): boolean {
  if (v === MISSING || v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (v instanceof GoInt) return v.v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** As fmt prints a value (%v); a top-level missing value or nil prints `<no value>` in a template. */
function print(v: Value, top: boolean): string {
  if (v === MISSING || v === undefined) return '<no value>';
  if (v === null) return top ? '<no value>' : '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoInt) return String(v.v);
  if (typeof v === 'number') return formatFloat(v);
  if (Array.isArray(v)) return `[${v.map((x) => print(x, false)).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${print(o[k], false)}`)
    .join(' ')}]`;
}

/** Go's %v of a float64 (JSON numbers): the shortest digits, with an exponent below 1e-4 and from 1e6 on (1e+06). */
function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

// ---- functions ----

const str = (v: Value): string => (typeof v === 'string' ? v : v === MISSING || v === null || v === undefined ? '' : print(v, false));

function toInt(v: Value): number {
  if (v instanceof GoInt) return v.v;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

function needArgs(name: string, args: Value[], n: number): void {
  if (args.length !== n) throw new GoTemplateError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function compare(name: string, a: Value, b: Value): number {
  const kind = (v: Value) => (v instanceof GoInt ? 'int' : typeof v === 'number' ? 'float' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'other');
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'other' || kb === 'other') {
    if (name === 'eq' || name === 'ne') {
      if ((a === null || a === MISSING) && (b === null || b === MISSING)) return 0;
    }
    throw new GoTemplateError(`error calling ${name}: incompatible types for comparison`);
  }
  if (ka !== kb) throw new GoTemplateError(`error calling ${name}: incompatible types for comparison`);
  if (ka === 'bool' && name !== 'eq' && name !== 'ne') throw new GoTemplateError(`error calling ${name}: invalid type for comparison`);
  const x = a instanceof GoInt ? a.v : (a as number | string | boolean);
  const y = b instanceof GoInt ? b.v : (b as number | string | boolean);
  return x === y ? 0 : x < y ? -1 : 1;
}

function sprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([%sdvq])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    if (verb === 's' || verb === 'v') return a === MISSING || a === undefined ? '%!' + verb + '(<nil>)' : print(a, false);
    if (verb === 'q') return typeof a === 'string' ? JSON.stringify(a) : `%!q(${goType(a)}=${print(a, false)})`;
    return a instanceof GoInt ? String(a.v) : `%!d(${goType(a)}=${print(a, false)})`;
  });
}

function callFunction(name: string, args: Value[]): Value {
  const f = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!f) throw new GoTemplateError(`function "${name}" is not evaluated locally`);
  return f(args, name);
}

const FUNCTIONS: Record<string, (args: Value[], name: string) => Value> = {
  // Go builtins
  and: (a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a, n) => (needArgs(n, a, 1), !truthy(a[0])),
  eq: (a, n) => a.slice(1).some((b) => compare(n, a[0], b) === 0),
  ne: (a, n) => (needArgs(n, a, 2), compare(n, a[0], a[1]) !== 0),
  lt: (a, n) => (needArgs(n, a, 2), compare(n, a[0], a[1]) < 0),
  le: (a, n) => (needArgs(n, a, 2), compare(n, a[0], a[1]) <= 0),
  gt: (a, n) => (needArgs(n, a, 2), compare(n, a[0], a[1]) > 0),
  ge: (a, n) => (needArgs(n, a, 2), compare(n, a[0], a[1]) >= 0),
  len: (a, n) => {
    needArgs(n, a, 1);
    const v = a[0];
    if (typeof v === 'string') return new GoInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return new GoInt(v.length);
    if (v && typeof v === 'object' && !(v instanceof GoInt)) return new GoInt(Object.keys(v).length);
    throw new GoTemplateError(`error calling len: len of type ${goType(v)}`);
  },
  index: (a) => {
    let v = a[0];
    for (const k of a.slice(1)) {
      if (Array.isArray(v)) {
        const i = toInt(k);
        if (i < 0 || i >= v.length) throw new GoTemplateError(`error calling index: index out of range: ${i}`);
        v = v[i];
      } else if (v && typeof v === 'object' && !(v instanceof GoInt)) {
        const o = v as Record<string, unknown>;
        v = typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : null;
      } else throw new GoTemplateError(`error calling index: can't index item of type ${goType(v)}`);
    }
    return v;
  },
  print: (a) => a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + print(x, false)).join(''),
  printf: (a) => sprintf(str(a[0]), a.slice(1)),
  // Sprig: strings
  lower: (a) => str(a[0]).toLowerCase(),
  upper: (a) => str(a[0]).toUpperCase(),
  title: (a) => goTitle(str(a[0])),
  trim: (a) => str(a[0]).trim(),
  trimAll: (a) => trimCutset(str(a[1]), str(a[0])),
  trimPrefix: (a) => (str(a[1]).startsWith(str(a[0])) ? str(a[1]).slice(str(a[0]).length) : str(a[1])),
  trimSuffix: (a) => (str(a[0]) && str(a[1]).endsWith(str(a[0])) ? str(a[1]).slice(0, -str(a[0]).length) : str(a[1])),
  replace: (a) => str(a[2]).split(str(a[0])).join(str(a[1])),
  contains: (a) => str(a[1]).includes(str(a[0])),
  hasPrefix: (a) => str(a[1]).startsWith(str(a[0])),
  hasSuffix: (a) => str(a[1]).endsWith(str(a[0])),
  quote: (a) => a.filter((x) => x !== null && x !== MISSING).map((x) => JSON.stringify(str(x))).join(' '),
  squote: (a) => a.filter((x) => x !== null && x !== MISSING).map((x) => `'${str(x)}'`).join(' '),
  trunc: (a) => {
    const n = toInt(a[0]);
    const s = str(a[1]);
    return n < 0 ? (-n < s.length ? s.slice(s.length + n) : s) : n < s.length ? s.slice(0, n) : s;
  },
  substr: (a) => {
    const s = str(a[2]);
    let start = toInt(a[0]);
    const end = toInt(a[1]);
    if (start < 0) start = 0;
    return end < 0 || end > s.length ? s.slice(start) : start > end ? '' : s.slice(start, end);
  },
  repeat: (a) => str(a[1]).repeat(Math.max(0, toInt(a[0]))),
  nospace: (a) => str(a[0]).replace(/\s/g, ''),
  cat: (a) => a.filter((x) => x !== null && x !== MISSING).map((x) => print(x, false)).join(' '),
  toString: (a: Value[]) => str(a[0]),
  splitList: (a) => str(a[1]).split(str(a[0])),
  join: (a) => (Array.isArray(a[1]) ? a[1].map((x) => str(x)).join(str(a[0])) : str(a[1])),
  normalize: (a) => sanitizeName(str(a[0])),
  // Sprig: defaults and logic
  default: (a) => (a.length < 2 || !truthy(a[1]) ? a[0] : a[1]),
  empty: (a) => !truthy(a[0]),
  coalesce: (a) => a.find((x) => truthy(x)) ?? null,
  ternary: (a) => (truthy(a[2]) ? a[0] : a[1]),
  // Sprig: lists
  list: (a) => [...a],
  first: (a) => (Array.isArray(a[0]) && a[0].length ? a[0][0] : null),
  last: (a) => (Array.isArray(a[0]) && a[0].length ? a[0][a[0].length - 1] : null),
  // Sprig: paths
  base: (a) => path.basename(str(a[0])) || (str(a[0]) === '' ? '.' : '/'),
  dir: (a) => path.dirname(str(a[0])),
  ext: (a) => path.extname(str(a[0])),
  clean: (a) => path.normalize(str(a[0])).replace(/(.)\/$/, '$1'),
  // Sprig: math (int64)
  add: (a) => new GoInt(a.reduce<number>((s, x) => s + toInt(x), 0)),
  add1: (a) => new GoInt(toInt(a[0]) + 1),
  sub: (a) => new GoInt(toInt(a[0]) - toInt(a[1])),
  mul: (a) => new GoInt(a.reduce<number>((s, x) => s * toInt(x), 1)),
  int: (a) => new GoInt(toInt(a[0])),
  atoi: (a) => new GoInt(/^[+-]?\d+$/.test(str(a[0])) ? Number(str(a[0])) : 0),
};

function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let i = 0;
  let j = chars.length;
  while (i < j && set.has(chars[i])) i++;
  while (j > i && set.has(chars[j - 1])) j--;
  return chars.slice(i, j).join('');
}

/** Go's strings.Title (Sprig `title`): upper-cases each letter after a separator (ASCII other than letters, digits
 * and '_', or a space). */
function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    const sep = prev.charCodeAt(0) < 0x80 ? !/[A-Za-z0-9_]/.test(prev) : /\s/.test(prev);
    out += sep ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}
