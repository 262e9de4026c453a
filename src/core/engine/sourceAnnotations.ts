// Where each drifted field of a resource shows up in its source YAML: the line to decorate and what to say.
import type { FieldChange, ResourceDiff } from '../model';
import { parseFieldPath } from '../capture/fieldPath';
import { lineFinder, type PathSegment } from '../yaml/lineOfPath';

export interface SourceAnnotation {
  /** 1-based line in the file. */
  line: number;
  change: FieldChange;
  diff: ResourceDiff;
  /** True when the field is not in Git and the line is its nearest declared ancestor. */
  atAncestor: boolean;
  text: string;
}

/** A field path (`a.b[name=x]`) as YAML path segments; undefined when it cannot be parsed. */
export function toYamlPath(path: string): PathSegment[] | undefined {
  try {
    const out: PathSegment[] = [];
    for (const s of parseFieldPath(path)) {
      if (s.kind === 'key') out.push(s.key);
      else if (s.kind === 'index') out.push(s.index);
      else if (s.kind === 'match') {
        const [key, value] = Object.entries(s.match)[0];
        out.push({ key, value });
      } else return out; // a set item (`[=value]`): its list's line is as precise as a line gets
    }
    return out;
  } catch {
    return undefined;
  }
}

export function short(v: unknown, max = 40): string {
  if (v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The after-text of a change: `live: 5 (kubectl-edit)`, `live adds env DEBUG: 1 (kubectl-edit)`. */
export function describeChange(c: FieldChange): string {
  const who = c.manager ? ` (${c.manager})` : '';
  if (c.category === 'live-only') return `live adds ${leafName(c.path)}: ${short(liveValue(c.live))}${who}`;
  if (c.category === 'extra') return `live only: ${short(c.live)}${who}`;
  if (c.live === undefined) return 'not live';
  return `live: ${short(c.live)}${who}`;
}

/** `env DEBUG` for `...env[name=DEBUG]`, `labels.team` for `metadata.labels.team`. */
function leafName(path: string): string {
  const segs = (() => {
    try {
      return parseFieldPath(path);
    } catch {
      return [];
    }
  })();
  const last = segs[segs.length - 1];
  const prev = segs[segs.length - 2];
  if (last?.kind === 'match') return `${prev?.kind === 'key' ? prev.key + ' ' : ''}${Object.values(last.match).join(',')}`;
  if (last?.kind === 'key') return prev?.kind === 'key' ? `${prev.key}.${last.key}` : last.key;
  return path;
}

/** An env-like `{name, value}` item reads better as its value. */
function liveValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 2 && 'name' in o && 'value' in o) return o.value;
  }
  return v;
}

/** Annotations for every change of the given resources whose source is this text. */
export function annotateSource(text: string, diffs: ResourceDiff[]): SourceAnnotation[] {
  const out: SourceAnnotation[] = [];
  const lineOf = lineFinder(text); // one parse for all lookups
  for (const diff of diffs) {
    if (!diff.source || diff.status !== 'Modified') continue;
    for (const change of diff.changes) {
      const segs = toYamlPath(change.path);
      if (!segs) continue;
      const exact = lineOf(diff.source.documentIndex, segs);
      const line = exact ?? lineOf(diff.source.documentIndex, segs, { nearest: true }) ?? diff.source.startLine;
      out.push({ line, change, diff, atAncestor: exact === undefined, text: describeChange(change) });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
