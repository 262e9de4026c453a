// Multi-document YAML/JSON parsing with kubectl's YAML 1.1 semantics and per-document line ranges.
import { isAlias, isMap, isPair, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { KubeObject } from '../model';
import { fastParseDocuments } from './fastParseDocuments';
import { kubeYamlOptions } from './kubeYamlOptions';

export interface ParsedDoc {
  object: KubeObject;
  /** Index of the document in the file's `---` stream, counting empty documents too. */
  documentIndex: number;
  /** 1-based first and last line of the document's content (comments and `---` excluded). */
  startLine: number;
  endLine: number;
}

export interface ParseProblem {
  message: string;
  /** 1-based line. */
  line: number;
  documentIndex?: number;
}

export interface SkippedDoc {
  documentIndex: number;
  line: number;
  reason: string;
}

export interface ParseResult {
  docs: ParsedDoc[];
  errors: ParseProblem[];
  skipped: SkippedDoc[];
}

export { kubeYamlOptions };

export function parseYamlDocuments(text: string): { docs: Document.Parsed[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...kubeYamlOptions, lineCounter });
  // parseAllDocuments returns an EmptyStream (an array-like without docs) for empty input.
  return { docs: Array.isArray(docs) ? docs : [], lineCounter };
}

/** Line of the last character before `end`, ignoring trailing whitespace. */
function lastContentLine(text: string, end: number, lineCounter: LineCounter): number {
  let i = Math.min(end, text.length) - 1;
  while (i > 0 && /\s/.test(text[i])) i--;
  return lineCounter.linePos(Math.max(i, 0)).line;
}

/** The `yaml` package's bound on alias expansion per document (its default is 100). */
export const MAX_ALIAS_COUNT = 10000;
/** Values one document may expand to through aliases; real manifests are far below this. */
export const MAX_EXPANDED_NODES = 1_000_000;

/** Number of values `doc` holds once every alias is expanded, counted without expanding (memoized per anchor). */
export function expandedSize(doc: Document.Parsed): number {
  const memo = new Map<unknown, number>();
  const size = (node: unknown, depth: number): number => {
    if (depth > 1000) throw new Error('it nests deeper than 1000 levels');
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) return 1;
      const known = memo.get(target);
      if (known !== undefined) return known;
      // An alias inside its own anchor is a cycle; toJS reports it.
      memo.set(target, 1);
      const n = size(target, depth + 1);
      memo.set(target, n);
      return n;
    }
    if (isPair(node)) return size(node.key, depth + 1) + size(node.value, depth + 1);
    if (isMap(node) || isSeq(node)) {
      let n = 1;
      for (const item of node.items as unknown[]) {
        n += size(item, depth + 1);
        if (n > MAX_EXPANDED_NODES) return n;
      }
      return n;
    }
    return 1;
  };
  return size(doc.contents, 0);
}

export function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.apiVersion === 'string' && o.apiVersion !== '' && typeof o.kind === 'string' && o.kind !== '';
}

export interface ParseManifestsOptions {
  /** False forces the `yaml` package's full parser (tests compare both). */
  fastPath?: boolean;
}

/**
 * Parses every document; a broken document is reported with its line and skipped while the others are kept.
 * Documents that are empty or lack apiVersion/kind are listed in `skipped` with a reason. A JSON `List`
 * (kind ending in `List` with `items`) is flattened, as kubectl does. Common block-style YAML takes a fast path
 * with identical results; anything else goes through the full parser.
 */
export function parseManifests(text: string, file = '<input>', opts: ParseManifestsOptions = {}): ParseResult {
  const result: ParseResult = { docs: [], errors: [], skipped: [] };
  const fast = opts.fastPath === false ? undefined : fastParseDocuments(text);
  if (fast) {
    fast.forEach((d, documentIndex) => addDocument(result, file, d.value, documentIndex, d.startLine, () => d.endLine));
    return result;
  }
  const { docs, lineCounter } = parseYamlDocuments(text);
  docs.forEach((doc, documentIndex) => {
    const contents = doc.contents;
    const startOffset = contents?.range?.[0] ?? doc.range[0];
    const startLine = lineCounter.linePos(startOffset).line;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        result.errors.push({ message: `${file}:${e.linePos?.[0].line ?? startLine}: ${e.message.split('\n')[0]}`, line: e.linePos?.[0].line ?? startLine, documentIndex });
      }
      return;
    }
    // Aliases can make a small file expand to gigabytes (a "billion laughs"): bound them, and name the file.
    let value: unknown;
    try {
      const size = expandedSize(doc);
      if (size > MAX_EXPANDED_NODES) throw new Error(`its aliases expand to more than ${MAX_EXPANDED_NODES} values`);
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      result.errors.push({ message: `${file}:${startLine}: document refused: ${(e as Error).message.split('\n')[0]}`, line: startLine, documentIndex });
      return;
    }
    addDocument(result, file, value, documentIndex, startLine, () => lastContentLine(text, contents?.range?.[1] ?? doc.range[1], lineCounter));
  });
  return result;
}

function addDocument(result: ParseResult, file: string, value: unknown, documentIndex: number, startLine: number, endLineOf: () => number): void {
  if (value === null || value === undefined) {
    result.skipped.push({ documentIndex, line: startLine, reason: 'empty document' });
    return;
  }
  const endLine = endLineOf();
  if (typeof value !== 'object' || Array.isArray(value)) {
    // A list or a scalar is no manifest at all (kubectl refuses it): an error, not a silent skip.
    const what = Array.isArray(value) ? 'a list' : `a ${typeof value === 'string' ? 'string' : 'scalar'}`;
    result.errors.push({ message: `${file}:${startLine}: not a Kubernetes object: the document is ${what}, not a map with apiVersion and kind`, line: startLine, documentIndex });
    return;
  }
  if (!isKubeObject(value)) {
    result.skipped.push({ documentIndex, line: startLine, reason: 'not a Kubernetes object (no apiVersion/kind)' });
    return;
  }
  const badMeta = metadataProblem(value);
  if (badMeta) {
    result.errors.push({ message: `${file}:${startLine}: ${badMeta}`, line: startLine, documentIndex });
    return;
  }
  if (value.kind.endsWith('List') && Array.isArray(value.items)) {
    for (const item of value.items as unknown[]) {
      if (isKubeObject(item)) result.docs.push({ object: withMetadata(item), documentIndex, startLine, endLine });
    }
    return;
  }
  result.docs.push({ object: withMetadata(value), documentIndex, startLine, endLine });
}

/** kubectl refuses objects whose metadata is not a map or whose name/namespace are not strings (e.g. templates). */
function metadataProblem(o: KubeObject): string | undefined {
  const m: unknown = o.metadata;
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) return `${o.kind}: metadata must be a map`;
  for (const k of ['name', 'namespace'] as const) {
    const v = (m as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && typeof v !== 'string') return `${o.kind}: metadata.${k} must be a string (an unquoted template?)`;
  }
  return undefined;
}

function withMetadata(o: KubeObject): KubeObject {
  if (typeof o.metadata !== 'object' || o.metadata === null) o.metadata = {};
  return o;
}
