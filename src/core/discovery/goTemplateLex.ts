// Tokens of one Go template action (`{{ … }}` without the braces), for src/core/discovery/goTemplate.ts.
import { GoTemplateError } from './goTemplateError';

export type Token =
  | { t: 'field'; v: string[] }
  | { t: 'var'; name: string; v: string[] }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number; float: boolean }
  | { t: 'ident'; v: string }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen' }
  | { t: 'assign' };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

export function tokenizeAction(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fieldsAt = (j: number): { fields: string[]; end: number } => {
    const fields: string[] = [];
    while (src[j] === '.') {
      const m = /^[A-Za-z_][\w]*/.exec(src.slice(j + 1));
      if (!m) break;
      fields.push(m[0]);
      j += 1 + m[0].length;
    }
    return { fields, end: j };
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      out.push({ t: 'pipe' });
      i++;
    } else if (c === '(') {
      out.push({ t: 'lparen' });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rparen' });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      out.push({ t: 'assign' });
      i += 2;
    } else if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) {
        const { fields, end } = fieldsAt(i);
        out.push({ t: 'field', v: fields });
        i = end;
      } else {
        out.push({ t: 'field', v: [] });
        i++;
      }
    } else if (c === '$') {
      const m = /^\$[\w]*/.exec(src.slice(i))!;
      const { fields, end } = fieldsAt(i + m[0].length);
      out.push({ t: 'var', name: m[0], v: fields });
      i = end;
    } else if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          const e = src[++j];
          if (!(e in ESCAPES)) throw new GoTemplateError(`escape \\${e} is not evaluated locally`);
          s += ESCAPES[e];
        } else s += src[j];
      }
      if (j >= src.length) throw new GoTemplateError('unterminated quoted string');
      out.push({ t: 'string', v: s });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new GoTemplateError('unterminated raw quoted string');
      out.push({ t: 'string', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[-+\d]/.test(c)) {
      const m = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/.exec(src.slice(i));
      if (!m) throw new GoTemplateError(`bad number syntax: "${src.slice(i)}"`);
      out.push({ t: 'number', v: Number(m[0]), float: /[.eE]/.test(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(src.slice(i))!;
      out.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if (c === "'") {
      throw new GoTemplateError('character constants are not evaluated locally');
    } else {
      throw new GoTemplateError(`unexpected "${c}" in action`);
    }
  }
  return out;
}
