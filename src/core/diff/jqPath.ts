// The subset of jq that Argo CD `jqPathExpressions` use in practice, evaluated as paths to delete.
// Supported: `.a.b`, `.["a.b"]`, `.a[]`, `.a[0]`, optional `?`, pipes `|`, and `select(<condition>)` where the
// condition is any filter of jqEval.ts (comparisons, and/or/not, startswith, endswith, test, contains, has, any,
// all, index, …). Anything else (alternatives, arithmetic, other functions) is rejected when compiled rather than
// guessed at; a condition that fails on some value (jq error) does not select it.
// The subset has no recursion or loops, so evaluation is bounded and needs no timeout (Argo's 1 s guard).
import { GitOpsError } from '../model';
import { isObject } from '../k8s/json';
import { evalJq, JqRuntimeError, parseJq, truthy, type JqNode } from './jqEval';

type Step = { field: string } | { index: number } | { each: true };
type Stage = { path: Step[] } | { select: JqNode };
export type JqPathExpression = Stage[];
export type ConcretePath = Array<string | number>;

function parsePath(src: string, expr: string): Step[] {
  const s = src.trim();
  if (s === '.') return [];
  if (!s.startsWith('.')) throw new GitOpsError('invalid', `Unsupported jq path expression "${expr}": expected a path starting with "."`);
  const steps: Step[] = [];
  const re = /\.([A-Za-z_][\w-]*)|\.?\["((?:[^"\\]|\\.)*)"\]|\.?\[(\d+)\]|\.?\[\]|\?/gy;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    pos = re.lastIndex;
    if (m[0] === '?') continue;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ field: JSON.parse(`"${m[2]}"`) as string });
    else if (m[3] !== undefined) steps.push({ index: Number(m[3]) });
    else steps.push({ each: true });
  }
  if (pos !== s.length) throw new GitOpsError('invalid', `Unsupported jq path expression "${expr}" near "${s.slice(pos)}"`);
  return steps;
}

function splitPipes(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (inStr) {
      if (c === '\\') cur += c + (expr[++i] ?? '');
      else {
        if (c === '"') inStr = false;
        cur += c;
      }
      continue;
    }
    if (c === '"') inStr = true;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '|' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Parses the supported subset; throws GitOpsError('invalid') for anything else. */
export function compileJqPath(expr: string): JqPathExpression {
  return splitPipes(expr).map((part) => {
    const s = part.trim();
    const sel = /^select\((.*)\)$/s.exec(s);
    if (!sel) return { path: parsePath(s, expr) };
    return { select: parseJq(sel[1], expr) };
  });
}

function get(v: unknown, p: ConcretePath): unknown {
  let cur = v;
  for (const s of p) cur = typeof s === 'number' ? (Array.isArray(cur) ? cur[s] : undefined) : isObject(cur) ? cur[s] : undefined;
  return cur;
}

function expand(root: unknown, base: ConcretePath, steps: Step[]): ConcretePath[] {
  let paths = [base];
  for (const step of steps) {
    const next: ConcretePath[] = [];
    for (const p of paths) {
      const v = get(root, p);
      if ('field' in step) next.push([...p, step.field]);
      else if ('index' in step) next.push([...p, step.index]);
      else if (Array.isArray(v)) v.forEach((_, i) => next.push([...p, i]));
      else if (isObject(v)) Object.keys(v).forEach((k) => next.push([...p, k]));
    }
    paths = next;
  }
  return paths;
}

/** Concrete paths (that exist) the expression selects in `root`. */
export function evalJqPaths(root: unknown, expr: JqPathExpression): ConcretePath[] {
  let paths: ConcretePath[] = [[]];
  for (const stage of expr) {
    if ('path' in stage) paths = paths.flatMap((p) => expand(root, p, stage.path));
    else {
      const cond = stage.select;
      paths = paths.filter((p) => {
        try {
          return evalJq(cond, get(root, p) ?? null).some(truthy);
        } catch (e) {
          if (e instanceof JqRuntimeError) return false;
          throw e;
        }
      });
    }
  }
  return paths.filter((p) => p.length > 0 && get(root, p) !== undefined);
}

/** `del(expr)` on a copy-in-place: deletes deepest/highest-index paths first so indices stay valid. */
export function deletePaths(root: unknown, paths: ConcretePath[]): void {
  const sorted = [...paths].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return typeof a[i] === 'number' && typeof b[i] === 'number' ? (b[i] as number) - (a[i] as number) : 0;
    return b.length - a.length;
  });
  for (const p of sorted) {
    const parent = get(root, p.slice(0, -1));
    const last = p[p.length - 1];
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (isObject(parent) && typeof last === 'string') delete parent[last];
  }
}
