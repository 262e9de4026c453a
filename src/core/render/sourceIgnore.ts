// `.sourceignore` as source-controller applies it when it archives a Git artifact (fluxcd/pkg/sourceignore over
// its gitignore package, go-git's semantics): every `.sourceignore` file of the repository contributes patterns
// scoped to its own folder (the "domain"), read top-down; a later matching pattern wins (`!` re-includes); a
// pattern without `/` matches a name at any depth below its domain (and so everything below a matching folder),
// one with `/` is matched component by component from the domain (`**` spans folders), a trailing `/` matches
// folders only. The files it matches are not in the artifact, so Flux never sees them.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../ports';

export const SOURCE_IGNORE_FILE = '.sourceignore';

/** The `.sourceignore` files from the repository root down to `dir` (existing or not): a change to one can change the render. */
export function ancestorSourceIgnoreFiles(repoRoot: string, dir: string): string[] {
  const rel = path.relative(repoRoot, dir);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return [];
  const chain = rel.split(path.sep);
  return chain.map((_, i) => path.join(repoRoot, ...chain.slice(0, i), SOURCE_IGNORE_FILE));
}

interface Pattern {
  domain: string[];
  parts: string[];
  include: boolean;
  dirOnly: boolean;
  glob: boolean;
}

/** Go's filepath.Match for one path component: `*`, `?`, `[...]` (with `^`/`!` negation), `\` escapes. */
function componentRegex(p: string): RegExp | undefined {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= p.length) return undefined;
      re += p[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) return undefined;
      let body = p.slice(i + 1, end);
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return undefined;
  }
}

const cache = new Map<string, RegExp | undefined>();
function nameMatch(pattern: string, name: string): boolean {
  if (!cache.has(pattern)) cache.set(pattern, componentRegex(pattern));
  return cache.get(pattern)?.test(name) ?? false;
}

export function parsePattern(line: string, domain: string[]): Pattern {
  let p = line;
  let include = false;
  if (p.startsWith('!')) {
    include = true;
    p = p.slice(1);
  }
  if (!p.endsWith('\\ ')) p = p.replace(/ +$/, '');
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  return { domain, parts: p.split('/'), include, dirOnly, glob: p.includes('/') };
}

function globMatch(pat: Pattern, rest: string[], isDir: boolean): boolean {
  let p = rest;
  let matched = false;
  let traverse = false;
  for (let i = 0; i < pat.parts.length; i++) {
    const part = pat.parts[i];
    if (part === '') {
      traverse = false;
      continue;
    }
    if (part === '**') {
      if (i === pat.parts.length - 1) break;
      traverse = true;
      continue;
    }
    if (part.includes('**')) return false;
    if (p.length === 0) return false;
    if (traverse) {
      traverse = false;
      while (p.length > 0) {
        const e = p[0];
        p = p.slice(1);
        if (nameMatch(part, e)) {
          matched = true;
          break;
        } else if (p.length === 0) matched = false;
      }
    } else {
      if (!nameMatch(part, p[0])) return false;
      matched = true;
      p = p.slice(1);
    }
  }
  if (matched && pat.dirOnly && !isDir && p.length === 0) matched = false;
  return matched;
}

/** NoMatch (undefined), or whether the pattern excludes (true) / re-includes (false) the path. */
function matchOne(pat: Pattern, parts: string[], isDir: boolean): boolean | undefined {
  if (parts.length <= pat.domain.length) return undefined;
  for (let i = 0; i < pat.domain.length; i++) if (parts[i] !== pat.domain[i]) return undefined;
  const rest = parts.slice(pat.domain.length);
  if (pat.glob) {
    if (!globMatch(pat, rest, isDir)) return undefined;
  } else {
    const idx = rest.findIndex((name) => nameMatch(pat.parts[0], name));
    if (idx < 0 || (pat.dirOnly && !isDir && idx === rest.length - 1)) return undefined;
  }
  return !pat.include;
}

/** Whether `rel` (a path relative to the repository root, `/`-separated) is left out of the artifact. */
export type IgnoreMatcher = (rel: string, isDir: boolean) => boolean;

export function matcherOf(patterns: Pattern[]): IgnoreMatcher {
  return (rel, isDir) => {
    const parts = rel.split('/').filter(Boolean);
    for (let i = patterns.length - 1; i >= 0; i--) {
      const m = matchOne(patterns[i], parts, isDir);
      if (m !== undefined) return m;
    }
    return false;
  };
}

export function readPatterns(text: string, domain: string[]): Pattern[] {
  return text
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('#') && l.trim() !== '')
    .map((l) => parsePattern(l, domain));
}

/**
 * The `.sourceignore` patterns that can apply below `dir`: those of the folders from the repository root down to
 * `dir`, then of every folder below it (the order source-controller reads them in, restricted to domains that can
 * match there), then the GitRepository's `spec.ignore` rules (`specIgnore`, rooted at the repository; appended last,
 * so they win, as source-controller's reconcileArtifact appends them). Undefined when there are none.
 */
export async function loadSourceIgnore(repoRoot: string, dir: string, signal?: AbortSignal, specIgnore?: string): Promise<IgnoreMatcher | undefined> {
  const rel = path.relative(repoRoot, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const patterns: Pattern[] = [];
  const read = async (folder: string, domain: string[]) => {
    const text = await fs.readFile(path.join(folder, SOURCE_IGNORE_FILE), 'utf8').catch(() => undefined);
    if (text !== undefined) patterns.push(...readPatterns(text, domain));
  };
  const chain = rel === '' ? [] : rel.split(path.sep);
  for (let i = 0; i < chain.length; i++) await read(path.join(repoRoot, ...chain.slice(0, i)), chain.slice(0, i));
  const walk = async (folder: string, domain: string[]): Promise<void> => {
    throwIfAborted(signal);
    await read(folder, domain);
    const entries = (await fs.readdir(folder, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) if (e.isDirectory() && e.name !== '.git') await walk(path.join(folder, e.name), [...domain, e.name]);
  };
  await walk(dir, chain);
  if (specIgnore) patterns.push(...readPatterns(specIgnore, []));
  return patterns.length ? matcherOf(patterns) : undefined;
}
