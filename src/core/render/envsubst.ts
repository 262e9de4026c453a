// Flux's post-build variable substitution syntax (github.com/fluxcd/pkg/envsubst v1.7.1, a fork of drone/envsubst),
// ported rule for rule: only `${...}` is a variable (never `$var`); `$$` is a literal `$` (so `$${x}` stays `${x}`);
// `${var}`, defaults `${var:=d}` `${var:-d}` `${var=d}` (and `:+`, `:?`, which Flux evaluates as a default too),
// `${#var}`, `${var:pos:len}`, casing `${var,}` `${var,,}` `${var^}` `${var^^}`, trims `${var#p}` `${var##p}`
// `${var%p}` `${var%%p}`, replaces `${var/a/b}` `${var//a/b}` `${var/#a/b}` `${var/%a/b}`; defaults may nest
// `${...}`. `${var-d}` is a parse error in Flux ("missing closing brace"), and so it is here. An unknown variable is
// the empty string unless `strict` (then an error, as with Flux's strict substitution).

export class EnvsubstError extends Error {}

interface TextNode {
  t: 'text';
  value: string;
}
interface FuncNode {
  t: 'func';
  name: string;
  param: string;
  args: Node[][];
}
type Node = TextNode | FuncNode;

const isIdent = (c: string) => /[\p{L}\p{N}_]/u.test(c);

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  /** Top level: text with `$$` escapes, and `${...}` functions. */
  parseAll(): Node[] {
    const out: Node[] = [];
    let text = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === '$' && this.s[this.pos + 1] === '{') {
        if (text) out.push({ t: 'text', value: text });
        text = '';
        this.pos += 2;
        out.push(this.parseFunc());
        continue;
      }
      if (c === '$' && this.s[this.pos + 1] === '$') {
        // `$$` → `$`, and the second `$` is plain text (never starts a variable).
        text += '$';
        this.pos += 2;
        continue;
      }
      text += c;
      this.pos++;
    }
    if (text) out.push({ t: 'text', value: text });
    return out;
  }

  ident(accept: (c: string, i: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.s.length && accept(this.s[this.pos], this.pos - start + 1)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  closing(): void {
    if (this.peek() !== '}') throw new EnvsubstError('bad substitution');
    this.pos++;
  }

  /**
   * One argument: a nested `${...}` or text accepted by `accept` (stopping before `${`); with `escapes`, `$$` is
   * `$` and a backslash before `/` or `\` is dropped.
   */
  param(accept: (c: string) => boolean, escapes: boolean): Node[] {
    if (this.s.startsWith('${', this.pos)) {
      this.pos += 2;
      return [this.parseFunc()];
    }
    let text = '';
    let first = true;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === '$' && this.s[this.pos + 1] === '{' && !first) break;
      if (escapes && ((c === '$' && this.s[this.pos + 1] === '$') || (c === '\\' && (this.s[this.pos + 1] === '/' || this.s[this.pos + 1] === '\\')))) {
        text += this.s[this.pos + 1];
        this.pos += 2;
        first = false;
        continue;
      }
      if (!accept(c)) break;
      text += c;
      this.pos++;
      first = false;
    }
    if (first) {
      if (this.peek() === '}') return [{ t: 'text', value: '' }];
      throw new EnvsubstError('unable to parse substitution within function');
    }
    return [{ t: 'text', value: text }];
  }

  parseFunc(): FuncNode {
    if (this.peek() === '#') {
      this.pos++;
      const param = this.ident((c) => isIdent(c));
      if (!param) throw new EnvsubstError('bad substitution');
      this.closing();
      return { t: 'func', name: '#', param, args: [] };
    }
    const name = this.ident((c) => isIdent(c));
    if (!name) throw new EnvsubstError('unable to parse variable name');
    const c = this.peek();
    const next = this.s[this.pos + 1];
    if (c === ':' && (next === '=' || next === '-' || next === '?' || next === '+')) return this.defaultFunc(name, c + next);
    if (c === ':') return this.substrFunc(name);
    if (c === '=') return this.defaultFunc(name, '=');
    if (c === ',' || c === '^') {
      const op = this.ident((x, i) => (x === ',' || x === '^') && i < 3);
      this.closing();
      return { t: 'func', name: op, param: name, args: [] };
    }
    if (c === '/') return this.replaceFunc(name);
    if (c === '#' || c === '%') {
      const op = this.ident((x, i) => x === c && i < 3);
      const arg = this.param((x) => x !== '}', false);
      this.closing();
      return { t: 'func', name: op, param: name, args: [arg] };
    }
    if (c !== '}') throw new EnvsubstError('missing closing brace');
    this.pos++;
    return { t: 'func', name: '', param: name, args: [] };
  }

  defaultFunc(param: string, op: string): FuncNode {
    this.pos += op.length;
    const args: Node[][] = [];
    for (;;) {
      if (this.pos >= this.s.length) throw new EnvsubstError('bad substitution');
      if (this.peek() === '}') {
        this.pos++;
        return { t: 'func', name: op, param, args };
      }
      args.push(this.param((x) => x !== '}', false));
    }
  }

  substrFunc(param: string): FuncNode {
    this.pos++; // ':'
    const args = [this.param((x) => x !== ':' && x !== '}', false)];
    if (this.peek() === '}') {
      this.pos++;
      return { t: 'func', name: ':', param, args };
    }
    if (this.peek() !== ':') throw new EnvsubstError('bad substitution');
    this.pos++;
    args.push(this.param((x) => x !== '}', false));
    this.closing();
    return { t: 'func', name: ':', param, args };
  }

  replaceFunc(param: string): FuncNode {
    this.pos++; // '/'
    let op = '/';
    const n = this.peek();
    if (n === '/' || n === '#' || n === '%') {
      op += n;
      this.pos++;
    }
    const args = [this.param((x) => x !== '/', true)];
    if (this.peek() !== '/') throw new EnvsubstError('bad substitution');
    while (this.peek() === '/') this.pos++;
    if (this.peek() === '}') {
      this.pos++;
      return { t: 'func', name: op, param, args };
    }
    args.push(this.param((x) => x !== '}', true));
    this.closing();
    return { t: 'func', name: op, param, args };
  }
}

/** Flux's own path.Match for the trim operators: `*`, `?`, `[...]`, escapes; unlike Go's, wildcards also match `/`. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw new EnvsubstError('syntax error in pattern');
      re += `[${glob.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function trimShortest(s: string, pattern: string): string {
  const re = globToRegExp(pattern);
  let shortest = '';
  for (let i = 0; i < s.length; i++) if (re.test(s.slice(0, s.length - i))) shortest = s.slice(0, s.length - i);
  return shortest ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  const re = globToRegExp(pattern);
  for (let i = 0; i < s.length; i++) if (re.test(s.slice(0, s.length - i))) return s.slice(s.length - i);
  return s;
}

const reverse = (s: string) => [...s].reverse().join('');

function substr(s: string, args: string[]): string {
  const pos0 = Number.parseInt(args[0], 10);
  if (!/^[-+]?\d+$/.test(args[0].trim()) || Number.isNaN(pos0)) return s;
  let pos = pos0 < 0 ? Math.max(0, s.length + pos0) : pos0;
  if (args.length === 1) return pos < s.length ? s.slice(pos) : '';
  if (!/^[-+]?\d+$/.test(args[1].trim())) return s;
  const len = Number.parseInt(args[1], 10);
  if (len < 0) {
    const end = s.length + len;
    return end < pos ? '' : s.slice(pos, end);
  }
  if (pos + len >= s.length) return pos < s.length ? s.slice(pos) : '';
  pos = Math.max(0, pos);
  return s.slice(pos, pos + len);
}

function apply(name: string, v: string, args: string[]): string {
  switch (name) {
    case ',':
      return v ? v[0].toLowerCase() + v.slice(1) : v;
    case ',,':
      return v.toLowerCase();
    case '^':
      return v ? v[0].toUpperCase() + v.slice(1) : v;
    case '^^':
      return v.toUpperCase();
    case '#':
      return args.length === 0 ? String(Buffer.byteLength(v)) : trimShortest(v, args[0]);
    case '##':
      return trimLongest(v, args[0]);
    case '%':
      return reverse(trimShortest(reverse(v), reverse(args[0])));
    case '%%':
      return reverse(trimLongest(reverse(v), reverse(args[0])));
    case ':':
      return substr(v, args);
    case '/#':
      return args.length === 2 && v.startsWith(args[0]) ? args[1] + v.slice(args[0].length) : v;
    case '/%':
      return args.length === 2 && v.endsWith(args[0]) ? v.slice(0, v.length - args[0].length) + args[1] : v;
    case '/':
      return args.length === 0 ? v : v.replace(args[0], args[1] ?? '');
    case '//':
      return args.length === 0 ? v : v.split(args[0]).join(args[1] ?? '');
    default:
      // `=`, `:=`, `:-`, `:+`, `:?` and anything else: Flux's toDefault.
      return v === '' && args.length > 0 ? args.join('') : v;
  }
}

const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

export interface EnvsubstOptions {
  /** Unknown variables are an error instead of the empty string (Flux's strict substitution). */
  strict?: boolean;
  /** Called with each variable name that was read (to tell which values a render used). */
  onUse?: (name: string) => void;
}

/** Substitutes `${...}` in `text` from `vars`, as Flux's kustomize-controller does to each rendered object. */
export function envsubst(text: string, vars: ReadonlyMap<string, string>, opts: EnvsubstOptions = {}): string {
  const nodes = new Parser(text).parseAll();
  const evalNodes = (ns: Node[]): string => ns.map(evalNode).join('');
  const evalNode = (n: Node): string => {
    if (n.t === 'text') return n.value;
    const args = n.args.map(evalNodes);
    const exists = vars.has(n.param);
    opts.onUse?.(n.param);
    if (opts.strict && !exists && !DEFAULT_OPS.has(n.name)) throw new EnvsubstError(`variable not set (strict mode): "${n.param}"`);
    return apply(n.name, vars.get(n.param) ?? '', args);
  };
  return evalNodes(nodes);
}

/** Flux's rule for variable names (`^[_[:alpha:]][_[:alpha:][:digit:]]*$`). */
export const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;
