// Nothing outside the app's repository is rendered, as in Argo CD: a source path or Flux `spec.path` of
// `../../x`, a symlink whose target leaves the repository, a kustomize reference or a helm values file outside it
// (e.g. `~/.kube/config`) is refused with an error naming the app and the path, before any tool reads it.
import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { GitOpsError, type App, type SourceType } from '../model';
import { throwIfAborted } from '../ports';
import { parseYamlDocuments } from '../yaml/parseManifests';
import { findKustomizationFile } from './detectSourceType';
import { isRemoteResource } from './kustomizeTree';
import { type JsonObject as Obj, asObj } from '../k8s/json';

/** `p` is `root` or below it, compared as given (no symlinks resolved). */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** Like isWithin, after resolving symlinks of both (a missing `p` is compared as written). */
export function isWithinReal(root: string, p: string): boolean {
  const real = (x: string) => {
    try {
      return realpathSync(x);
    } catch {
      return path.resolve(x);
    }
  };
  return isWithin(real(root), real(p));
}

/** The folder holding `.git` at or above `dir`; undefined outside a repository (nothing to bound by). */
export async function repoRootOf(dir: string): Promise<string | undefined> {
  let d = path.resolve(dir);
  for (;;) {
    if (await fs.lstat(path.join(d, '.git')).then(() => true, () => false)) return d;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

async function realOrResolved(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}

/** Entries one bounds check looks at; a larger tree is checked up to here. */
const MAX_ENTRIES = 50000;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** Every local path a kustomization names: resources, components, patches, generator files, values files, plugins. */
export function kustomizationPaths(k: Obj): string[] {
  const out = [...strs(k.resources), ...strs(k.bases), ...strs(k.components), ...strs(k.crds), ...strs(k.patchesStrategicMerge).filter((p) => !p.includes('\n'))];
  for (const list of [k.patches, k.patchesJson6902, k.replacements]) for (const p of Array.isArray(list) ? list : []) out.push(...strs(asObj(p).path));
  for (const list of [k.configMapGenerator, k.secretGenerator]) {
    for (const g of (Array.isArray(list) ? list : []).map(asObj)) {
      // `files` entries may be `key=path`.
      out.push(...strs(g.files).map((f) => (f.includes('=') ? f.slice(f.indexOf('=') + 1) : f)), ...strs(g.envs), ...strs(g.env));
    }
  }
  for (const h of (Array.isArray(k.helmCharts) ? k.helmCharts : []).map(asObj)) out.push(...strs(h.valuesFile), ...strs(h.additionalValuesFiles));
  out.push(...strs(asObj(k.openapi).path), ...strs(k.transformers), ...strs(k.generators), ...strs(k.validators));
  // Inline plugin configs (YAML text) are not paths.
  return out.filter((p) => p !== '' && !p.includes('\n') && !isRemoteResource(p));
}

export interface BoundsInput {
  app: App;
  type: SourceType;
  /** Helm `valueFiles`, relative to the chart folder. */
  valueFiles?: string[];
  /** Extra kustomize components the controller adds (Argo/Flux `components`), relative to the app folder. */
  components?: string[];
  signal?: AbortSignal;
}

/**
 * Undefined when the app reads nothing outside its repository, else the error to show instead of rendering.
 * Outside any Git repository there is nothing to bound by; Argo/Flux paths are bounded by discovery then.
 */
export async function outOfRepoError(input: BoundsInput): Promise<GitOpsError | undefined> {
  const { app } = input;
  if (!app.path) return undefined;
  const root = await repoRootOf(app.path);
  if (!root) return undefined;
  const realRoot = await realOrResolved(root);
  const refuse = (what: string, file?: string) =>
    new GitOpsError('render', `${app.name}: ${what} is outside the repository ${root}; refused (Argo CD does not render files outside the repository either)`, { file: file ?? app.path });
  const inside = async (p: string) => isWithin(realRoot, await realOrResolved(p));
  if (!(await inside(app.path))) return refuse(`path ${app.path}`);
  let budget = MAX_ENTRIES;

  // Symlinks anywhere below the folder (all renderers read what it holds), like Argo's out-of-bounds symlink check.
  const scan = async (dir: string): Promise<GitOpsError | undefined> => {
    throwIfAborted(input.signal);
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (--budget < 0) return undefined;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) {
        const target = await fs.readlink(p).catch(() => '');
        if (!(await inside(p))) return refuse(`symlink ${path.relative(root, p)} -> ${target}`, p);
      } else if (e.isDirectory() && !SKIP_DIRS.has(e.name)) {
        const err = await scan(p);
        if (err) return err;
      }
    }
    return undefined;
  };
  const scanned = await scan(app.path);
  if (scanned) return scanned;

  for (const f of input.valueFiles ?? []) {
    if (/^https?:\/\//.test(f)) continue;
    if (!(await inside(path.resolve(app.path, f)))) return refuse(`helm values file ${f}`);
  }

  if (input.type === 'kustomize') {
    // Every local reference of every kustomization reachable from the folder; each folder is read once.
    const visited = new Set<string>();
    const check = async (dir: string, extra: string[]): Promise<GitOpsError | undefined> => {
      throwIfAborted(input.signal);
      const real = await realOrResolved(dir);
      if (visited.has(real) || --budget < 0) return undefined;
      visited.add(real);
      const kfile = await findKustomizationFile(dir);
      let refs = extra;
      if (kfile) {
        const text = await fs.readFile(kfile, 'utf8').catch(() => '');
        let k: Obj = {};
        try {
          k = asObj(parseYamlDocuments(text).docs[0]?.toJS());
        } catch {
          // A kustomization we cannot parse fails the build with its own error.
        }
        refs = [...extra, ...kustomizationPaths(k)];
      }
      for (const ref of refs) {
        const p = path.resolve(dir, ref);
        if (!(await inside(p))) return refuse(`${ref} (named by ${path.relative(root, kfile ?? dir) || '.'})`, kfile ?? dir);
        const st = await fs.stat(p).catch(() => undefined);
        if (st?.isDirectory()) {
          const err = await check(p, []);
          if (err) return err;
        }
      }
      return undefined;
    };
    const err = await check(app.path, input.components ?? []);
    if (err) return err;
  }
  return undefined;
}
