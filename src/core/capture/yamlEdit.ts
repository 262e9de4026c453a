// Minimal, comment-preserving YAML edits. The yaml Document API (YAML 1.1, like kubectl) locates nodes; edits are
// spliced into the original text so every byte outside the edited field stays identical.
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseAllDocuments, Scalar, stringify, YAMLMap, YAMLSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import { GitOpsError } from '../model';
import { matchValueEquals, matchValueToYaml, parseFieldPath, type PathSegment } from './fieldPath';

/**
 * `order`: for a new list item, the live list it comes from; the item is inserted after its nearest live
 * predecessor already in the file (first when there is none), so the list order matches live (env order matters
 * for `$(VAR)` references, and a reordered list is itself drift). Without it, new items are appended.
 */
export type YamlEdit = { op: 'set'; path: string | PathSegment[]; value: unknown; order?: unknown[] } | { op: 'delete'; path: string | PathSegment[] };

const PARSE_OPTIONS = { version: '1.1', keepSourceTokens: true, prettyErrors: false } as const;

/** Parses all documents (YAML 1.1); a syntax error becomes GitOpsError('parse') with its line. */
export function parseYamlDocuments(text: string, file?: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      const line = lineStarts(text).filter((s) => s <= err.pos[0]).length;
      throw new GitOpsError('parse', `YAML error${file ? ` in ${file}` : ''} at line ${line}: ${err.message.split('\n')[0]}`, { file, line, cause: err });
    }
  }
  return list;
}

/** Applies edits in order to one document of a (possibly multi-document) file; other bytes are untouched. */
export function applyYamlEdits(text: string, documentIndex: number, edits: YamlEdit[]): string {
  if (edits.length === 0) parseYamlDocuments(text);
  let out = text;
  for (const e of edits) {
    const segs = typeof e.path === 'string' ? parseFieldPath(e.path) : e.path;
    out = e.op === 'set' ? setPath(out, documentIndex, segs, e.value, e.order) : deletePath(out, documentIndex, segs);
  }
  return out;
}

/** The value at a path in one document (undefined when absent). */
export function readYamlPath(text: string, documentIndex: number, path: string | PathSegment[]): unknown {
  const ctx = context(text, documentIndex);
  const segs = typeof path === 'string' ? parseFieldPath(path) : path;
  const r = resolve(ctx.doc, segs);
  if (r.steps.length < segs.length) return undefined;
  const n = r.steps.length ? r.steps[r.steps.length - 1].node : ctx.doc.contents;
  return toJS(n);
}

// ---------------------------------------------------------------------------------------------------------------

interface Ctx {
  src: string;
  starts: number[];
  doc: Document.Parsed;
  /** Indentation step and whether block sequences under a key are indented, learnt from the document itself. */
  step: number;
  seqIndented: boolean;
}

interface Step {
  container: YAMLMap | YAMLSeq;
  seg: PathSegment;
  pair?: Pair;
  itemIndex?: number;
  node: Node | null;
}

function context(src: string, documentIndex: number): Ctx {
  const docs = parseYamlDocuments(src);
  const doc = docs[documentIndex];
  if (!doc) throw new GitOpsError('invalid', `Document ${documentIndex} does not exist (the file has ${docs.length})`);
  const ctx: Ctx = { src, starts: lineStarts(src), doc, step: 2, seqIndented: true };
  learnStyle(ctx);
  return ctx;
}

function lineStarts(src: string): number[] {
  const s = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}

function lineOf(ctx: Ctx, pos: number): number {
  let lo = 0;
  let hi = ctx.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.starts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const colOf = (ctx: Ctx, pos: number): number => pos - ctx.starts[lineOf(ctx, pos)];
const lineEnd = (ctx: Ctx, line: number): number => (line + 1 < ctx.starts.length ? ctx.starts[line + 1] : ctx.src.length);

/** Last non-blank character before `end` (not before `start`). */
function lastContent(ctx: Ctx, start: number, end: number): number {
  let p = end - 1;
  while (p > start && /\s/.test(ctx.src[p])) p--;
  return p;
}

function nodeStart(n: Node | null | undefined): number | undefined {
  return n?.range?.[0];
}

function pairValueEnd(p: Pair): number {
  const v = p.value as Node | null;
  return v?.range ? v.range[1] : (p.key as Node).range![1];
}

/** The position of the `-` that introduces a block sequence item starting at `pos`. */
function dashBefore(ctx: Ctx, pos: number): number {
  let p = pos - 1;
  while (p >= 0 && /\s/.test(ctx.src[p])) p--;
  return ctx.src[p] === '-' ? p : pos;
}

function learnStyle(ctx: Ctx): void {
  let stepFound = false;
  let seqFound = false;
  const walk = (n: unknown): void => {
    if (stepFound && seqFound) return;
    if (isMap(n) && !n.flow) {
      for (const p of n.items) {
        const k = p.key as Node | null;
        const v = p.value as Node | null;
        if (k?.range && v?.range) {
          if (!stepFound && isMap(v) && !v.flow && v.items.length) {
            const d = colOf(ctx, v.range[0]) - colOf(ctx, k.range[0]);
            if (d > 0) {
              ctx.step = d;
              stepFound = true;
            }
          }
          if (!seqFound && isSeq(v) && !v.flow && v.items.length) {
            const dash = dashBefore(ctx, nodeStart(v.items[0] as Node) ?? v.range[0]);
            ctx.seqIndented = colOf(ctx, dash) > colOf(ctx, k.range[0]);
            seqFound = true;
          }
        }
        walk(v);
      }
    } else if (isSeq(n)) for (const it of n.items) walk(it);
  };
  walk(ctx.doc.contents);
}

function resolve(doc: Document.Parsed, segs: PathSegment[]): { steps: Step[] } {
  const steps: Step[] = [];
  let cur: unknown = doc.contents;
  for (const seg of segs) {
    if (seg.kind === 'key' && isMap(cur)) {
      const pair = cur.items.find((p) => keyString(p.key) === seg.key);
      if (!pair) break;
      steps.push({ container: cur, seg, pair, node: (pair.value as Node | null) ?? null });
      cur = pair.value;
    } else if (seg.kind === 'match' && isSeq(cur)) {
      const idx = cur.items.findIndex((it) => isMap(it) && Object.entries(seg.match).every(([k, v]) => matchValueEquals(scalarOf(it.get(k, true)), v)));
      if (idx < 0) break;
      steps.push({ container: cur, seg, itemIndex: idx, node: cur.items[idx] as Node });
      cur = cur.items[idx];
    } else if (seg.kind === 'value' && isSeq(cur)) {
      const idx = cur.items.findIndex((it) => isScalar(it) && matchValueEquals(it.value, seg.value));
      if (idx < 0) break;
      steps.push({ container: cur, seg, itemIndex: idx, node: cur.items[idx] as Node });
      cur = cur.items[idx];
    } else if (seg.kind === 'index' && isSeq(cur) && seg.index < cur.items.length) {
      steps.push({ container: cur, seg, itemIndex: seg.index, node: cur.items[seg.index] as Node });
      cur = cur.items[seg.index];
    } else break;
  }
  return { steps };
}

function keyString(k: unknown): string | undefined {
  if (isScalar(k)) return k.value === null ? 'null' : String(k.value);
  return undefined;
}

function scalarOf(n: unknown): unknown {
  return isScalar(n) ? n.value : n;
}

function toJS(n: unknown): unknown {
  if (n === null || n === undefined) return n === null ? null : undefined;
  return (n as { toJSON(): unknown }).toJSON();
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JS value that, placed where `segs[0]` is missing, makes `segs` resolve to `value`. */
function build(segs: PathSegment[], value: unknown): unknown {
  if (segs.length === 0) return value;
  const [seg, ...rest] = segs;
  if (seg.kind === 'key') return { [seg.key]: build(rest, value) };
  if (seg.kind === 'value') return [rest.length ? build(rest, value) : (value ?? seg.value)];
  if (seg.kind === 'index') {
    if (seg.index !== 0) throw new GitOpsError('invalid', `Cannot create list item at index ${seg.index} of a missing list`);
    return [build(rest, value)];
  }
  return [matchItem(seg, build(rest, value), rest.length === 0)];
}

function matchItem(seg: Extract<PathSegment, { kind: 'match' }>, inner: unknown, whole: boolean): Record<string, unknown> {
  const keys = Object.fromEntries(Object.entries(seg.match).map(([k, v]) => [k, matchValueToYaml(k, v)]));
  if (whole) {
    if (!isObj(inner)) throw new GitOpsError('invalid', `A list item selected by ${JSON.stringify(seg.match)} must be an object`);
    return { ...keys, ...inner };
  }
  return { ...keys, ...(inner as Record<string, unknown>) };
}

function renderOpts(ctx: Ctx) {
  return { version: '1.1' as const, indent: ctx.step, indentSeq: ctx.seqIndented, lineWidth: 0, minContentWidth: 0 };
}

/** Block text for `value`; the first line is not indented (it follows a key or dash), later lines get `indent`. */
function renderBlock(ctx: Ctx, value: unknown, indent: number): string {
  const text = stringify(value, renderOpts(ctx)).replace(/\n$/, '');
  const pad = ' '.repeat(indent);
  return text
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : pad + l))
    .join('\n');
}

/** Inline text for a scalar, keeping the original quoting style when the value is a string. */
function renderScalar(ctx: Ctx, value: unknown, orig?: Scalar, inFlow = false): string {
  if (typeof value === 'string') {
    if (orig && (orig.type === 'QUOTE_SINGLE' || orig.type === 'QUOTE_DOUBLE') && !value.includes('\n')) {
      const s = new Scalar(value);
      s.type = orig.type;
      return new Document(s, renderOpts(ctx)).toString(renderOpts(ctx)).replace(/\n$/, '');
    }
    const plain = stringify(value, renderOpts(ctx)).replace(/\n$/, '');
    if (plain.includes('\n') || (inFlow && /[,[\]{}]/.test(plain))) return JSON.stringify(value);
    return plain;
  }
  return stringify(value, renderOpts(ctx)).replace(/\n$/, '');
}

/** Inserted text follows the file's line endings (CRLF files stay CRLF). */
function splice(src: string, start: number, end: number, text: string): string {
  const t = src.includes('\r\n') ? text.replace(/\r?\n/g, '\r\n') : text;
  return src.slice(0, start) + t + src.slice(end);
}

function setPath(text: string, documentIndex: number, segs: PathSegment[], value: unknown, order?: unknown[]): string {
  const ctx = context(text, documentIndex);
  const { steps } = resolve(ctx.doc, segs);
  const flowIdx = steps.findIndex((s) => s.container.flow);
  if (flowIdx >= 0) return rewriteFlow(ctx, steps[flowIdx].container, segs.slice(flowIdx), value, 'set');

  if (steps.length === segs.length) {
    const last = steps[steps.length - 1];
    const n = last.node;
    if (isDeepStrictEqual(toJS(n), value)) return text;
    if (isScalar(n) && n.range && n.range[1] > n.range[0] && !isObj(value) && !Array.isArray(value)) {
      const block = n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED';
      if (!block || typeof value !== 'string' || !value.includes('\n')) {
        const end = block ? lastContent(ctx, n.range[0], n.range[1]) + 1 : n.range[1];
        return splice(text, n.range[0], end, renderScalar(ctx, value, n));
      }
    }
    if (isMap(n) && !n.flow && n.items.length && isObj(value)) return mergeMap(text, documentIndex, segs, n, value);
    if (isSeq(n) && !n.flow && n.items.length && Array.isArray(value) && value.length) return mergeSeq(text, documentIndex, segs, n, value);
    return replaceEntry(ctx, last, value);
  }

  const d = steps.length;
  const container = d === 0 ? ctx.doc.contents : steps[d - 1].node;
  const seg = segs[d];
  if ((isMap(container) || isSeq(container)) && container.flow) return rewriteFlow(ctx, container, segs.slice(d), value, 'set');
  if (isMap(container) && !container.flow && container.items.length && seg.kind === 'key') {
    const lastPair = container.items[container.items.length - 1];
    const col = colOf(ctx, (container.items[0].key as Node).range![0]);
    const entry = `${renderBlock(ctx, { [seg.key]: build(segs.slice(d + 1), value) }, col)}\n`;
    return insertAfter(ctx, lastContent(ctx, 0, pairValueEnd(lastPair)), ' '.repeat(col) + entry);
  }
  if (isSeq(container) && !container.flow && container.items.length && (seg.kind !== 'key' && (seg.kind !== 'index' || seg.index === container.items.length))) {
    const rest = segs.slice(d + 1);
    const item =
      seg.kind === 'match' ? matchItem(seg, build(rest, value), rest.length === 0) : seg.kind === 'value' && rest.length === 0 ? (value ?? seg.value) : build(rest, value);
    const first = container.items[0] as Node;
    const dashCol = colOf(ctx, dashBefore(ctx, first.range![0]));
    const entry = `${renderBlock(ctx, [item], dashCol)}\n`;
    const anchor = seg.kind === 'match' && order ? anchorInLiveOrder(container, seg, order) : container.items.length - 1;
    if (anchor < 0) {
      const at = ctx.starts[lineOf(ctx, dashBefore(ctx, first.range![0]))];
      return splice(ctx.src, at, at, ' '.repeat(dashCol) + entry);
    }
    const anchorItem = container.items[anchor] as Node;
    return insertAfter(ctx, lastContent(ctx, 0, anchorItem.range![1]), ' '.repeat(dashCol) + entry);
  }
  if (d === 0) {
    if (container === null || container === undefined || (isScalar(container) && container.value === null)) {
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      const end = isScalar(container) && container.range ? container.range[1] : docEnd(ctx);
      return splice(text, end, end, `${sep}${renderBlock(ctx, build(segs, value), 0)}\n`);
    }
    throw new GitOpsError('unsupported', `Cannot set ${segs.length ? 'a field' : ''} in a document whose root is not a mapping`);
  }
  // The container exists but is null, a scalar or empty: replace it with a collection holding the new value.
  return replaceEntry(ctx, steps[d - 1], build(segs.slice(d), value));
}

/** Index of the item to insert after (-1: before the first), following the order of the live list. */
function anchorInLiveOrder(container: YAMLSeq, seg: Extract<PathSegment, { kind: 'match' }>, order: unknown[]): number {
  const keys = Object.keys(seg.match);
  const same = (o: unknown, m: (k: string) => unknown) => isObj(o) && keys.every((k) => matchValueEquals(m(k), String((o as Record<string, unknown>)[k])));
  const idx = order.findIndex((o) => isObj(o) && keys.every((k) => matchValueEquals((o as Record<string, unknown>)[k], seg.match[k])));
  if (idx < 0) return container.items.length - 1;
  for (let i = idx - 1; i >= 0; i--) {
    const y = container.items.findIndex((it) => isMap(it) && same(order[i], (k) => scalarOf(it.get(k, true))));
    if (y >= 0) return y;
  }
  return -1;
}

function docEnd(ctx: Ctx): number {
  const r = (ctx.doc as unknown as { range?: [number, number, number] }).range;
  return r ? r[1] : ctx.src.length;
}

function insertAfter(ctx: Ctx, pos: number, entry: string): string {
  const line = lineOf(ctx, pos);
  const at = lineEnd(ctx, line);
  // A file without a final newline keeps lacking one.
  if (at === ctx.src.length && !ctx.src.endsWith('\n') && ctx.src.length > 0) return splice(ctx.src, at, at, `\n${entry.replace(/\n$/, '')}`);
  return splice(ctx.src, at, at, entry);
}

/** Sets each key of `value` (and deletes keys it lacks) so unchanged keys keep their bytes. */
function mergeMap(text: string, documentIndex: number, segs: PathSegment[], node: YAMLMap, value: Record<string, unknown>): string {
  let out = text;
  const existing = node.items.map((p) => keyString(p.key)).filter((k): k is string => k !== undefined);
  for (const k of existing) if (!(k in value)) out = deletePath(out, documentIndex, [...segs, { kind: 'key', key: k }]);
  for (const [k, v] of Object.entries(value)) out = setPath(out, documentIndex, [...segs, { kind: 'key', key: k }], v);
  return out;
}

/**
 * Sets a list so unchanged items keep their bytes (and comments): when the new list only drops items, exactly
 * those are deleted; otherwise items are set position by position, extra ones appended or dropped.
 */
function mergeSeq(text: string, documentIndex: number, segs: PathSegment[], node: YAMLSeq, value: unknown[]): string {
  let out = text;
  const current = node.items.map((it) => toJS(it));
  const kept: number[] = [];
  for (let i = 0, j = 0; i < current.length && j < value.length; i++) {
    if (isDeepStrictEqual(current[i], value[j])) {
      kept.push(i);
      j++;
    }
  }
  if (kept.length === value.length) {
    for (let i = current.length - 1; i >= 0; i--) if (!kept.includes(i)) out = deletePath(out, documentIndex, [...segs, { kind: 'index', index: i }]);
    return out;
  }
  for (let i = current.length - 1; i >= value.length; i--) out = deletePath(out, documentIndex, [...segs, { kind: 'index', index: i }]);
  for (let i = 0; i < value.length; i++) out = setPath(out, documentIndex, [...segs, { kind: 'index', index: i }], value[i]);
  return out;
}

/** Rewrites one map entry or list item with a freshly rendered value; text before the key on its line is kept. */
function replaceEntry(ctx: Ctx, step: Step, value: unknown): string {
  if (step.pair) {
    const key = step.pair.key as Node;
    const start = key.range![0];
    const endLine = lineOf(ctx, lastContent(ctx, start, pairValueEnd(step.pair)));
    const end = lineEnd(ctx, endLine);
    const col = colOf(ctx, start);
    const keyText = ctx.src.slice(start, key.range![1]);
    const rendered = renderBlock(ctx, { [keyString(key) ?? '']: value }, col);
    // Keep the key exactly as written (quoting), only the value part is rendered.
    const body = rendered.slice(rendered.indexOf(':'));
    const nl = end === ctx.src.length && !ctx.src.endsWith('\n') ? '' : '\n';
    return splice(ctx.src, start, end, `${keyText}${body}${nl}`);
  }
  const item = step.node as Node;
  const start = item.range![0];
  const endLine = lineOf(ctx, lastContent(ctx, start, item.range![1]));
  const end = lineEnd(ctx, endLine);
  const nl = end === ctx.src.length && !ctx.src.endsWith('\n') ? '' : '\n';
  return splice(ctx.src, start, end, `${renderBlock(ctx, value, colOf(ctx, start))}${nl}`);
}

/** Flow collections (`{a: 1}`) are small: edit their JS value and re-render the outermost one inline. */
function rewriteFlow(ctx: Ctx, flow: YAMLMap | YAMLSeq, rel: PathSegment[], value: unknown, op: 'set' | 'delete'): string {
  const js = toJS(flow);
  const next = op === 'set' ? jsSet(js, rel, value) : jsDelete(js, rel);
  const doc = new Document(next, renderOpts(ctx));
  if (isMap(doc.contents) || isSeq(doc.contents)) doc.contents.flow = true;
  const text = doc.toString(renderOpts(ctx)).replace(/\n$/, '');
  return splice(ctx.src, flow.range![0], flow.range![1], text);
}

function jsFind(list: unknown[], seg: PathSegment): number {
  if (seg.kind === 'index') return seg.index < list.length ? seg.index : -1;
  if (seg.kind === 'match') return list.findIndex((it) => isObj(it) && Object.entries(seg.match).every(([k, v]) => matchValueEquals(it[k], v)));
  if (seg.kind === 'value') return list.findIndex((it) => matchValueEquals(it, seg.value));
  return -1;
}

function jsSet(root: unknown, segs: PathSegment[], value: unknown): unknown {
  if (segs.length === 0) return value;
  const [seg, ...rest] = segs;
  if (seg.kind === 'key') {
    const o = isObj(root) ? { ...root } : {};
    o[seg.key] = seg.key in o ? jsSet(o[seg.key], rest, value) : build(rest, value);
    return o;
  }
  const list = Array.isArray(root) ? [...root] : [];
  const i = jsFind(list, seg);
  if (i >= 0) list[i] = jsSet(list[i], rest, value);
  else list.push(...(build(segs, value) as unknown[]));
  return list;
}

function jsDelete(root: unknown, segs: PathSegment[]): unknown {
  const [seg, ...rest] = segs;
  if (seg.kind === 'key' && isObj(root)) {
    const o = { ...root };
    if (rest.length) o[seg.key] = jsDelete(o[seg.key], rest);
    else delete o[seg.key];
    return o;
  }
  if (Array.isArray(root)) {
    const list = [...root];
    const i = jsFind(list, seg);
    if (i >= 0) {
      if (rest.length) list[i] = jsDelete(list[i], rest);
      else list.splice(i, 1);
    }
    return list;
  }
  return root;
}

function deletePath(text: string, documentIndex: number, segs: PathSegment[]): string {
  const ctx = context(text, documentIndex);
  const { steps } = resolve(ctx.doc, segs);
  if (steps.length < segs.length) return text;
  const flowIdx = steps.findIndex((s) => s.container.flow);
  if (flowIdx >= 0) return rewriteFlow(ctx, steps[flowIdx].container, segs.slice(flowIdx), undefined, 'delete');
  const last = steps[steps.length - 1];
  // Removing the only entry would leave an empty `key:` (null); empty equals absent, so remove the parent instead.
  if (last.container.items.length === 1 && segs.length > 1) return deletePath(text, documentIndex, segs.slice(0, -1));
  if (last.pair) {
    const key = last.pair.key as Node;
    const start = key.range![0];
    const lineStart = ctx.starts[lineOf(ctx, start)];
    const endLine = lineOf(ctx, lastContent(ctx, start, pairValueEnd(last.pair)));
    if (ctx.src.slice(lineStart, start).trim() !== '') {
      // The key shares its line with a `- ` dash: pull the next key up instead of dropping the line.
      const idx = (last.container as YAMLMap).items.indexOf(last.pair);
      const next = (last.container as YAMLMap).items[idx + 1];
      if (next) return splice(text, start, (next.key as Node).range![0], '');
    }
    return splice(text, lineStart, lineEnd(ctx, endLine), '');
  }
  const item = last.node as Node;
  const dash = dashBefore(ctx, item.range![0]);
  const endLine = lineOf(ctx, lastContent(ctx, item.range![0], item.range![1]));
  return splice(text, ctx.starts[lineOf(ctx, dash)], lineEnd(ctx, endLine), '');
}

