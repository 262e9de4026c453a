// A fast path for the block-style YAML that kustomize, helm, `yaml.stringify` and most people write: one pass
// over the lines, no CST or node tree. The `yaml` package's full parser costs ~0.5 ms per Kubernetes object,
// which dominates drift on big repos. Anything outside the common subset (flow collections, anchors, tags,
// folded or multi-line scalars, merge keys, directives) makes it give up, and the caller uses the full parser,
// so the result is the same either way; plain scalars resolve through the full parser's own YAML 1.1 tags.
import { Document, isScalar, type CollectionTag, type ScalarTag } from 'yaml';
import { kubeYamlOptions } from './kubeYamlOptions';

export interface FastDoc {
  /** null for an empty document. */
  value: unknown;
  /** 1-based line of the content's first line (of the `---` marker for an empty document). */
  startLine: number;
  /** 1-based last line of the content (documents ending in comments are left to the full parser). */
  endLine: number;
}

/** Thrown to leave the fast path; never escapes this module. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp('fast path does not cover this YAML');

const resolveOptions = { intAsBigInt: false };
/** Implicitly resolved scalar tags of the kubectl dialect, in the full parser's order. */
const plainTags: readonly ScalarTag[] = (new Document(null, kubeYamlOptions).schema.tags as (ScalarTag | CollectionTag)[]).filter(
  (t): t is ScalarTag => t.default === true && !('collection' in t && t.collection) && t.test instanceof RegExp,
);

function giveUp(): never {
  throw GIVE_UP;
}

function resolvePlain(text: string): unknown {
  for (const tag of plainTags) {
    if (tag.test!.test(text)) {
      const v = tag.resolve(text, giveUp, resolveOptions);
      return isScalar(v) ? v.value : v;
    }
  }
  return text;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Characters that cannot start a plain scalar or key here (or start syntax the fast path leaves alone). */
const NOT_PLAIN_START = new Set([',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

class DocParser {
  private i = 0;

  constructor(
    private readonly lines: string[],
    private readonly ind: Int32Array,
    private readonly end: number,
  ) {}

  /** Index of the next line holding content (not blank, not a comment), or `end`. */
  skip(from: number): number {
    const { lines, ind } = this;
    for (let i = from; i < this.end; i++) {
      const s = lines[i];
      const c = s.charCodeAt(ind[i]);
      if (Number.isNaN(c) || c === HASH) continue;
      if (c === TAB) {
        const t = s.trimStart();
        if (t === '' || t.charCodeAt(0) === HASH) continue;
        giveUp(); // tab indentation
      }
      return i;
    }
    return this.end;
  }

  parseRoot(first: number): unknown {
    this.i = first;
    const v = this.parseNode(first);
    if (this.skip(this.i) < this.end) giveUp();
    return v;
  }

  private isDashItem(s: string, n: number): boolean {
    return s.charCodeAt(n) === DASH && (s.length === n + 1 || s.charCodeAt(n + 1) === SPACE);
  }

  private parseNode(i: number): unknown {
    const n = this.ind[i];
    this.i = i;
    return this.isDashItem(this.lines[i], n) ? this.parseSeq(n) : this.parseMap(n);
  }

  private parseMap(n: number): Record<string, unknown> {
    const { lines, ind } = this;
    const obj: Record<string, unknown> = {};
    for (;;) {
      const i = this.skip(this.i);
      if (i >= this.end || ind[i] < n) return obj;
      if (ind[i] > n) giveUp();
      const s = lines[i];
      let key: string;
      let p: number;
      const c = s[n];
      if (c === '"' || c === "'") {
        const q = c === '"' ? doubleQuoted(s, n) : singleQuoted(s, n);
        key = q.value;
        p = q.next;
        while (s.charCodeAt(p) === SPACE) p++;
        if (s.charCodeAt(p) !== COLON || !(p + 1 === s.length || s.charCodeAt(p + 1) === SPACE || s.charCodeAt(p + 1) === TAB)) giveUp();
      } else {
        if (NOT_PLAIN_START.has(c) || ((c === '?' || c === ':' || c === '-') && (s.length === n + 1 || s.charCodeAt(n + 1) === SPACE))) giveUp();
        p = plainKeyEnd(s, n);
        if (p < 0) giveUp();
        const text = s.slice(n, p).trimEnd();
        if (text === '<<' || text.length > 1024) giveUp();
        const k = resolvePlain(text);
        if (typeof k !== 'string') giveUp();
        key = k;
      }
      if (key === '__proto__') giveUp();
      obj[key] = this.parseValue(i, p + 1, n, true);
    }
  }

  private parseSeq(n: number): unknown[] {
    const { lines, ind } = this;
    const arr: unknown[] = [];
    for (;;) {
      const i = this.skip(this.i);
      if (i >= this.end || ind[i] < n) return arr;
      if (ind[i] > n) giveUp();
      const s = lines[i];
      if (!this.isDashItem(s, n)) return arr; // a key after a compact (`key:\n- a`) sequence
      let p = n + 1;
      while (s.charCodeAt(p) === SPACE) p++;
      if (p < s.length && s.charCodeAt(p) !== HASH && startsMapEntry(s, p)) {
        // `- key: value`: a map whose keys line up with this first key.
        this.ind[i] = p;
        this.i = i;
        arr.push(this.parseMap(p));
      } else {
        if (this.isDashItem(s, p)) giveUp(); // `- - a`
        arr.push(this.parseValue(i, p, n, false));
      }
    }
  }

  /** The value after `key:` or `- ` at column `p` of line `i`, in a collection at indent `n`. */
  private parseValue(i: number, p: number, n: number, inMap: boolean): unknown {
    const { lines, ind } = this;
    const s = lines[i];
    while (s.charCodeAt(p) === SPACE || s.charCodeAt(p) === TAB) p++;
    if (p >= s.length || s.charCodeAt(p) === HASH) {
      const j = this.skip(i + 1);
      if (j < this.end && ind[j] > n) return this.parseNode(j);
      this.i = i + 1;
      if (inMap && j < this.end && ind[j] === n && this.isDashItem(lines[j], n)) {
        this.i = j;
        return this.parseSeq(n);
      }
      return null;
    }
    const c = s[p];
    let value: unknown;
    let rest: number;
    if (c === '|') return this.blockScalar(i, p, n);
    if (c === '"' || c === "'") {
      const q = c === '"' ? doubleQuoted(s, p) : singleQuoted(s, p);
      value = q.value;
      rest = q.next;
    } else if (c === '[') {
      const q = flowSequence(s, p);
      value = q.value;
      rest = q.next;
    } else if (c === '{') {
      rest = p + 1;
      while (s.charCodeAt(rest) === SPACE) rest++;
      if (s[rest] !== '}') giveUp();
      rest++;
      value = {};
    } else {
      if (NOT_PLAIN_START.has(c) || ((c === '?' || c === ':' || c === '-') && (s.length === p + 1 || s.charCodeAt(p + 1) === SPACE || s.charCodeAt(p + 1) === TAB))) giveUp();
      const text = plainValue(s, p);
      value = resolvePlain(text);
      rest = s.length;
    }
    if (!restIsComment(s, rest)) giveUp();
    // A deeper line now would continue a multi-line scalar (or be an error): the full parser decides.
    const j = this.skip(i + 1);
    if (j < this.end && ind[j] > n) giveUp();
    this.i = i + 1;
    return value;
  }

  /** Literal block scalar (`|`, `|-`, `|+`); folded ones and explicit indentation are left to the full parser. */
  private blockScalar(i: number, p: number, n: number): string {
    const { lines } = this;
    const s = lines[i];
    let q = p + 1;
    const chomp = s[q] === '-' || s[q] === '+' ? s[q++] : '';
    if (!restIsComment(s, q)) giveUp();
    const out: string[] = [];
    let indent = -1;
    let j = i + 1;
    for (; j < this.end; j++) {
      const l = lines[j];
      let k = 0;
      while (l.charCodeAt(k) === SPACE) k++;
      if (k === l.length) {
        // Blank lines with more spaces than the indentation are content the fast path does not model.
        if (indent >= 0 ? k > indent : k > 0) giveUp();
        out.push('');
        continue;
      }
      if (l.trim() === '') giveUp(); // tabs in a blank line
      if (indent < 0) {
        if (k <= n) break;
        indent = k;
      } else if (k < indent) break;
      out.push(l.slice(indent));
    }
    this.i = j;
    let trailing = 0;
    while (trailing < out.length && out[out.length - 1 - trailing] === '') trailing++;
    const body = out.slice(0, out.length - trailing).join('\n');
    if (indent < 0 || body === '') {
      if (chomp === '+') giveUp();
      // Empty content: the full parser's answer for leading blank lines is left to it.
      if (out.length > 0) giveUp();
      return '';
    }
    if (chomp === '-') return body;
    if (chomp === '+') return `${body}\n${'\n'.repeat(trailing)}`;
    return `${body}\n`;
  }
}

/** True when only whitespace or a comment follows `p`. */
function restIsComment(s: string, p: number): boolean {
  if (p >= s.length) return true;
  const c = s.charCodeAt(p);
  if (c !== SPACE && c !== TAB) return false;
  while (s.charCodeAt(p) === SPACE || s.charCodeAt(p) === TAB) p++;
  return p >= s.length || s.charCodeAt(p) === HASH;
}

/** Index of the `:` ending a plain key that starts at `p`, or -1. */
function plainKeyEnd(s: string, p: number): number {
  for (let k = p; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === COLON && (k + 1 === s.length || s.charCodeAt(k + 1) === SPACE || s.charCodeAt(k + 1) === TAB)) return k;
    if (c === HASH && k > p && (s.charCodeAt(k - 1) === SPACE || s.charCodeAt(k - 1) === TAB)) return -1;
  }
  return -1;
}

function startsMapEntry(s: string, p: number): boolean {
  const c = s[p];
  if (c === '"' || c === "'") {
    const q = c === '"' ? doubleQuoted(s, p) : singleQuoted(s, p);
    let k = q.next;
    while (s.charCodeAt(k) === SPACE) k++;
    return s.charCodeAt(k) === COLON && (k + 1 === s.length || s.charCodeAt(k + 1) === SPACE || s.charCodeAt(k + 1) === TAB);
  }
  return plainKeyEnd(s, p) >= 0;
}

/** A plain scalar value from `p` to the end of the line or a comment, trailing whitespace dropped. */
function plainValue(s: string, p: number): string {
  let end = s.length;
  for (let k = p + 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === HASH && (s.charCodeAt(k - 1) === SPACE || s.charCodeAt(k - 1) === TAB)) {
      end = k;
      break;
    }
    // `a: b: c` is an error in block context; leave it to the full parser's message.
    if (c === COLON && (k + 1 === s.length || s.charCodeAt(k + 1) === SPACE || s.charCodeAt(k + 1) === TAB)) giveUp();
  }
  return s.slice(p, end).trimEnd();
}

/** `[a, "b", 3]` on one line: scalars only; nesting, pairs and multi-line sequences are left to the full parser. */
function flowSequence(s: string, p: number): { value: unknown[]; next: number } {
  const value: unknown[] = [];
  let k = p + 1;
  for (;;) {
    while (s.charCodeAt(k) === SPACE) k++;
    if (value.length === 0 && s[k] === ']') return { value, next: k + 1 };
    const c = s[k];
    if (c === '"' || c === "'") {
      const q = c === '"' ? doubleQuoted(s, k) : singleQuoted(s, k);
      value.push(q.value);
      k = q.next;
    } else {
      let e = k;
      while (e < s.length && s[e] !== ',' && s[e] !== ']') e++;
      const text = s.slice(k, e).trimEnd();
      if (text === '' || /[[\]{}#:\t]/.test(text) || NOT_PLAIN_START.has(text[0]) || ((text[0] === '-' || text[0] === '?') && (text.length === 1 || text[1] === ' '))) giveUp();
      value.push(resolvePlain(text));
      k = e;
    }
    while (s.charCodeAt(k) === SPACE) k++;
    if (s[k] === ']') return { value, next: k + 1 };
    if (s[k] !== ',') giveUp();
    k++;
  }
}

function singleQuoted(s: string, p: number): { value: string; next: number } {
  let value = '';
  let from = p + 1;
  for (;;) {
    const k = s.indexOf("'", from);
    if (k < 0) giveUp(); // continues on the next line
    value += s.slice(from, k);
    if (s[k + 1] === "'") {
      value += "'";
      from = k + 2;
      continue;
    }
    return { value, next: k + 1 };
  }
}

function doubleQuoted(s: string, p: number): { value: string; next: number } {
  let value = '';
  let from = p + 1;
  for (let k = from; k < s.length; k++) {
    const c = s[k];
    if (c === '"') return { value: value + s.slice(from, k), next: k + 1 };
    if (c !== '\\') continue;
    value += s.slice(from, k);
    const e = s[k + 1];
    const hex = HEX_LEN[e];
    if (hex) {
      const digits = s.slice(k + 2, k + 2 + hex);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) giveUp();
      value += String.fromCodePoint(parseInt(digits, 16));
      k += 1 + hex;
    } else {
      const r = ESCAPES[e];
      if (r === undefined) giveUp();
      value += r;
      k += 1;
    }
    from = k + 1;
  }
  return giveUp(); // continues on the next line
}

/** `---` with nothing but a comment after it; anything else on the marker line is left to the full parser. */
function isMarker(s: string): boolean {
  if (!s.startsWith('---')) return false;
  if (s.length === 3) return true;
  const c = s.charCodeAt(3);
  if (c !== SPACE && c !== TAB) return false;
  if (!restIsComment(s, 3)) giveUp();
  return true;
}

/**
 * Documents of `text` with the same values, document count and line numbers as the full parser, or undefined
 * when the text uses YAML the fast path does not cover.
 */
export function fastParseDocuments(text: string): FastDoc[] | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  if (text.includes('\r')) {
    if (/\r(?!\n)/.test(text)) return undefined;
    text = text.replace(/\r\n/g, '\n');
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const ind = new Int32Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    let k = 0;
    while (s.charCodeAt(k) === SPACE) k++;
    ind[i] = k;
  }
  try {
    // Segments between `---` markers; text before the first marker counts only if it has content.
    const bounds: { marker: number; from: number; to: number }[] = [];
    let from = 0;
    let marker = -1;
    for (let i = 0; i <= lines.length; i++) {
      const s = i < lines.length ? lines[i] : undefined;
      if (s !== undefined) {
        const c = s.charCodeAt(0);
        if (c === 37 /* % directive */ || (c === 46 && s.startsWith('...'))) return undefined;
        if (c !== DASH || !isMarker(s)) continue;
      }
      bounds.push({ marker, from, to: i });
      marker = i;
      from = i + 1;
    }
    const docs: FastDoc[] = [];
    for (const [k, b] of bounds.entries()) {
      const parser = new DocParser(lines, ind, b.to);
      const first = parser.skip(b.from);
      if (first >= b.to) {
        if (k === 0 && b.marker < 0) continue; // comments before the first `---`
        docs.push({ value: null, startLine: b.marker + 1, endLine: b.marker + 1 });
        continue;
      }
      let last = b.to - 1;
      while (last > first && lines[last].trim() === '') last--;
      // Whether the full parser counts trailing comments into the document depends on their indentation and
      // the blank lines around them; the fast path does not reproduce that.
      if (lines[last].charCodeAt(ind[last]) === HASH) return undefined;
      docs.push({ value: parser.parseRoot(first), startLine: first + 1, endLine: last + 1 });
    }
    return docs;
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
