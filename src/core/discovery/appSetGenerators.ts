// ApplicationSet generators: list, git (directories and files, when the repository is checked out here), clusters
// (the Argo CD cluster Secrets, from the cluster or the workspace's manifests: appSetClusters.ts), and matrix /
// merge over those. Parameters have the shapes the ApplicationSet controller gives them: flat `path.basename` keys
// for the default `{{param}}` syntax, nested objects (`.path.basename`, `.path.segments`) with goTemplate. Other
// generators (SCM, pull request…) need an API: the expansion says which one it could not do.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { resolveRepo, type RepoInfo } from './repoInfo';
import { type JsonObject as Obj, asObj, nonEmptyString as str } from '../k8s/json';
import { sanitizeName } from './sanitizeName';
import { clusterGenerator, fastTemplate, selectorMatches, withTemplatedValues, type ClusterSecretsOf } from './appSetClusters';
import { renderGoTemplate, type GoTemplateOptions } from './goTemplate';


export interface Expansion {
  params: Obj[];
  /** Generators that could not be expanded here, by kind (and why). */
  notExpanded: string[];
}

const MAX_DIRS = 20000;

/** Every folder of the checkout relative to its root (`a`, `a/b`), skipping hidden ones as repo-server does. */
function allDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (out.length > MAX_DIRS) return;
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      walk(r);
    }
  };
  walk('');
  return out.sort();
}

function allFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (out.length > MAX_DIRS * 5) return;
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** The path parameters of a folder (git directories) or of a file's folder (git files). */
function pathParams(dirRel: string, goTemplate: boolean, prefix: string | undefined, file?: string): Obj {
  const segments = dirRel.split('/').filter(Boolean);
  const base = path.posix.basename(dirRel);
  const p: Obj = { path: dirRel, basename: base, basenameNormalized: sanitizeName(base), segments };
  if (file) {
    p.filename = path.posix.basename(file);
    p.filenameNormalized = sanitizeName(path.posix.basename(file));
  }
  const key = prefix ? `${prefix}.path` : 'path';
  if (goTemplate) return prefix ? { [prefix]: { path: p } } : { path: p };
  const flat: Obj = { [key]: dirRel, [`${key}.basename`]: base, [`${key}.basenameNormalized`]: sanitizeName(base) };
  if (file) {
    flat[`${key}.filename`] = p.filename;
    flat[`${key}.filenameNormalized`] = p.filenameNormalized;
  }
  segments.forEach((s, i) => (flat[`${key}[${i}]`] = s));
  return flat;
}

/** Flattens nested keys to `a.b.c` for the default syntax (the controller's flattening of a files generator's data). */
function flatten(o: Obj, prefix = '', out: Obj = {}): Obj {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Obj, key, out);
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function gitGenerator(g: Obj, repos: RepoInfo[], goTemplate: boolean, opts: GoTemplateOptions): Expansion {
  // Argo CD's values: each templated with the set's own parameters (appendTemplatedValues).
  const withValues = (params: Obj, values: Obj, goTemplate: boolean): Obj => withTemplatedValues(params, values, goTemplate, opts);
  const repoURL = str(g.repoURL) ?? '';
  const { repo, problem } = resolveRepo(repos, repoURL, str(g.revision));
  if (!repo || problem) return { params: [], notExpanded: [`git (${problem ?? `repo not in workspace: ${repoURL}`})`] };
  const prefix = str(g.pathParamPrefix);
  const values = asObj(g.values);
  const params: Obj[] = [];
  if (Array.isArray(g.directories)) {
    const rules = g.directories.map(asObj);
    const dirs = allDirs(repo.root);
    const include = rules.filter((r) => r.exclude !== true && str(r.path)).map((r) => picomatch(r.path as string, { dot: false }));
    const exclude = rules.filter((r) => r.exclude === true && str(r.path)).map((r) => picomatch(r.path as string, { dot: false }));
    for (const d of dirs) {
      if (include.some((m) => m(d)) && !exclude.some((m) => m(d))) params.push(withValues(pathParams(d, goTemplate, prefix), values, goTemplate));
    }
  }
  if (Array.isArray(g.files)) {
    const rules = g.files.map(asObj);
    const include = rules.filter((r) => r.exclude !== true && str(r.path)).map((r) => picomatch(r.path as string));
    const exclude = rules.filter((r) => r.exclude === true && str(r.path)).map((r) => picomatch(r.path as string));
    for (const f of allFiles(repo.root)) {
      if (!include.some((m) => m(f)) || exclude.some((m) => m(f))) continue;
      let data: unknown;
      try {
        data = parse(readFileSync(path.join(repo.root, f), 'utf8'));
      } catch {
        return { params: [], notExpanded: [`git (file ${f} is not JSON or YAML)`] };
      }
      // A file holding a list yields one parameter set per element.
      for (const item of (Array.isArray(data) ? data : [data]).map(asObj)) {
        const dir = path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f);
        const base = goTemplate ? { ...item } : flatten(item);
        params.push(withValues({ ...base, ...pathParams(dir, goTemplate, prefix, f) }, values, goTemplate));
      }
    }
  }
  return { params, notExpanded: [] };
}

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? deepMerge(cur as Obj, v as Obj) : v;
  }
  return out;
}

function listGenerator(g: Obj, goTemplate: boolean): Expansion {
  if (g.elementsYaml || !Array.isArray(g.elements)) return { params: [], notExpanded: ['list (elementsYaml)'] };
  return { params: g.elements.map(asObj).map((e) => (goTemplate ? e : { ...flatten(e), ...e })), notExpanded: [] };
}

/** Every string value of a generator templated with parameters (Argo CD's InterpolateGenerator; keys are kept). */
function interpolate(v: unknown, params: Obj, goTemplate: boolean, opts: GoTemplateOptions): unknown {
  if (typeof v === 'string') return !v.includes('{{') ? v : goTemplate ? renderGoTemplate(v, params, opts) : fastTemplate(v, params);
  if (Array.isArray(v)) return v.map((x) => interpolate(x, params, goTemplate, opts));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, params, goTemplate, opts)]));
  return v;
}

/**
 * Argo CD's matrix: exactly two generators; the second is templated with each parameter set of the first, and
 * each pair is combined (goTemplate: a deep merge where the first generator's values win; otherwise flat keys,
 * a key both give with different values being an error).
 */
function matrixGenerator(spec: Obj, repos: RepoInfo[], goTemplate: boolean, ctx: GeneratorContext, depth: number): Expansion {
  const fail = (why: string): Expansion => ({ params: [], notExpanded: [`matrix (${why})`] });
  const gens = (Array.isArray(spec.generators) ? spec.generators : []).map(asObj);
  if (gens.length !== 2) return fail(gens.length < 2 ? 'found less than two generators, Matrix support only two' : 'found more than two generators, Matrix support only two');
  const first = expandGenerator(gens[0], repos, goTemplate, ctx, depth + 1);
  if (first.notExpanded.length) return fail(first.notExpanded.join(', '));
  const fixed = JSON.stringify(gens[1]).includes('{{') ? undefined : expandGenerator(gens[1], repos, goTemplate, ctx, depth + 1);
  const params: Obj[] = [];
  for (const a of first.params) {
    const second = fixed ?? expandGenerator(asObj(interpolate(gens[1], a, goTemplate, ctx.templateOptions ?? {})), repos, goTemplate, ctx, depth + 1);
    if (second.notExpanded.length) return fail(second.notExpanded.join(', '));
    for (const b of second.params) {
      if (goTemplate) {
        params.push(deepMerge(b, a));
        continue;
      }
      const clash = Object.keys(b).find((k) => k in a && typeof a[k] === 'string' && typeof b[k] === 'string' && a[k] !== b[k]);
      if (clash) return fail(`found duplicate key ${clash} with different value, a: ${String(a[clash])} ,b: ${String(b[clash])}`);
      params.push({ ...a, ...b });
    }
  }
  return { params, notExpanded: [] };
}

/** What generators read besides the workspace's repositories. */
export interface GeneratorContext {
  /** Namespace of the ApplicationSet (where its cluster Secrets are). Default `argocd`. */
  namespace?: string;
  templateOptions?: GoTemplateOptions;
  /** The cluster Secrets; without them a clusters generator says it needs the cluster. */
  clusterSecrets?: ClusterSecretsOf;
}

export const NEEDS_CLUSTER = "needs the cluster's Argo CD cluster Secrets";

/** Nested parameters as `a.b` keys with string values (Argo CD's flattenParameters), for a generator's selector. */
function flatStrings(o: Obj, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatStrings(v as Obj, key, out);
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * One generator's parameter sets, kept when they match the generator's `selector` (on the flattened parameters,
 * as Argo CD's Transform filters them). A goTemplate error in a generator's values throws (GoTemplateError).
 */
export function expandGenerator(g: Obj, repos: RepoInfo[], goTemplate: boolean, ctx: GeneratorContext = {}, depth = 0): Expansion {
  const r = expandOne(g, repos, goTemplate, ctx, depth);
  const selector = asObj(g.selector);
  if (!Object.keys(selector).length || r.notExpanded.length) return r;
  try {
    return { params: r.params.filter((p) => selectorMatches(selector, flatStrings(p))), notExpanded: [] };
  } catch (e) {
    return { params: [], notExpanded: [`generator selector (${(e as Error).message})`] };
  }
}

function expandOne(g: Obj, repos: RepoInfo[], goTemplate: boolean, ctx: GeneratorContext, depth: number): Expansion {
  if (g.list) return listGenerator(asObj(g.list), goTemplate);
  if (g.git) return gitGenerator(asObj(g.git), repos, goTemplate, ctx.templateOptions ?? {});
  if (g.clusters) {
    const secrets = ctx.clusterSecrets ? ctx.clusterSecrets(ctx.namespace ?? 'argocd') : NEEDS_CLUSTER;
    const r = clusterGenerator(asObj(g.clusters), secrets, goTemplate, ctx.templateOptions);
    return { params: r.params, notExpanded: r.notExpanded ? [r.notExpanded] : [] };
  }
  if (depth < 2 && g.matrix) return matrixGenerator(asObj(g.matrix), repos, goTemplate, ctx, depth);
  if (depth < 2 && (g.matrix || g.merge)) {
    const spec = asObj(g.matrix ?? g.merge);
    const children = (Array.isArray(spec.generators) ? spec.generators : []).map(asObj).map((c) => expandGenerator(c, repos, goTemplate, ctx, depth + 1));
    const notExpanded = children.flatMap((c) => c.notExpanded);
    if (notExpanded.length > 0 || children.length === 0) return { params: [], notExpanded: [`${g.matrix ? 'matrix' : 'merge'} (${notExpanded.join(', ') || 'no generators'})`] };
    // merge: the first generator is the base; others override the base sets whose mergeKeys match.
    const keys = (Array.isArray(spec.mergeKeys) ? spec.mergeKeys : []).filter((k): k is string => typeof k === 'string');
    const id = (p: Obj) => JSON.stringify(keys.map((k) => (goTemplate ? k.split('.').reduce<unknown>((v, s) => asObj(v)[s], p) : p[k])));
    const [base, ...rest] = children;
    return {
      params: base.params.map((b) => {
        let merged = b;
        for (const c of rest) for (const p of c.params) if (id(p) === id(b)) merged = goTemplate ? deepMerge(merged, p) : { ...merged, ...p };
        return merged;
      }),
      notExpanded: [],
    };
  }
  const kind = Object.keys(g).find((k) => k !== 'selector' && k !== 'values' && k !== 'template') ?? 'unknown';
  return { params: [], notExpanded: [kind] };
}
