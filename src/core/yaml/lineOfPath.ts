// Finds the line of a field inside one YAML document, for editor decorations and "reveal source".
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { parseYamlDocuments } from './parseManifests';

/** A map key, a list index, or a list item picked by one of its fields (e.g. `{key: 'name', value: 'web'}`). */
export type PathSegment = string | number | { key: string; value: string };

function scalarText(n: unknown): string | undefined {
  if (isScalar(n)) return n.value === null || n.value === undefined ? undefined : String(n.value);
  return undefined;
}

/**
 * 1-based line of the field at `path` in document `documentIndex` (the key's line for map fields, the item's
 * first line for list items). Returns undefined when the path does not exist, unless `nearest` is set: then
 * the line of the deepest existing ancestor (the document start for an empty path match).
 */
export function lineOfPath(text: string, documentIndex: number, path: PathSegment[], opts: { nearest?: boolean } = {}): number | undefined {
  return lineFinder(text)(documentIndex, path, opts);
}

/** Parses once and answers many lookups (decorating every changed field of a file). */
export function lineFinder(text: string): (documentIndex: number, path: PathSegment[], opts?: { nearest?: boolean }) => number | undefined {
  const { docs, lineCounter } = parseYamlDocuments(text);
  return (documentIndex, path, opts = {}) => find(docs[documentIndex], lineCounter, path, opts);
}

function find(
  doc: ReturnType<typeof parseYamlDocuments>['docs'][number] | undefined,
  lineCounter: ReturnType<typeof parseYamlDocuments>['lineCounter'],
  path: PathSegment[],
  opts: { nearest?: boolean },
): number | undefined {
  if (!doc?.contents) return undefined;
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  let node: unknown = doc.contents;
  let line = lineAt((doc.contents as Node).range?.[0]);
  for (const seg of path) {
    let next: unknown;
    let nextLine: number | undefined;
    if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => scalarText(p.key) === seg);
      if (pair) {
        next = pair.value;
        nextLine = lineAt((pair.key as Node | null)?.range?.[0]);
      }
    } else if (typeof seg === 'number' && isSeq(node)) {
      next = node.items[seg];
      nextLine = lineAt((next as Node | undefined)?.range?.[0]);
    } else if (typeof seg === 'object' && isSeq(node)) {
      next = node.items.find((item) => isMap(item) && item.items.some((p) => scalarText(p.key) === seg.key && scalarText(p.value) === seg.value));
      nextLine = lineAt((next as Node | undefined)?.range?.[0]);
    }
    if (next === undefined && nextLine === undefined) return opts.nearest ? line : undefined;
    node = next;
    line = nextLine ?? line;
  }
  return line;
}
