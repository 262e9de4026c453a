// `helm template` for chart folders; without helm the result says so instead of being silently empty.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { GitOpsError, isGitOpsError } from '../model';
import type { ProcessRunner } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import { argoEnvsubst } from './argoEnvsubst';
import { checkGlobMatchesInside, globValueFiles, isArgoGlob } from './argoValueGlob';
import { buildDependencies, isMissingDependencyError } from './helmDependencies';
import { runLimited } from './spawnLimiter';
import type { RenderResult } from './types';

export interface HelmOptions {
  releaseName: string;
  namespace?: string;
  /** Relative to the chart folder, as in Argo's `spec.source.helm.valueFiles`. */
  valueFiles?: string[];
  /** Inline values (Argo `values` string or `valuesObject`). */
  values?: string | Record<string, unknown>;
  parameters?: { name: string; value: string; forceString?: boolean }[];
  /** Argo `fileParameters`: `--set-file=name=path` (path relative to the chart folder). */
  fileParameters?: { name: string; path: string }[];
  /** Argo: the repository root, which value file glob matches must stay in. */
  repoRoot?: string;
  /** Argo `ignoreMissingValueFiles`: value files (and globs matching nothing) that do not exist are left out instead of failing. */
  ignoreMissingValueFiles?: boolean;
  /** Argo `skipCrds`: no `--include-crds`. */
  skipCrds?: boolean;
  /** Argo `skipTests`: `--skip-tests`. */
  skipTests?: boolean;
  /** Argo `skipSchemaValidation`: `--skip-schema-validation` (the chart's values.schema.json is not checked). */
  skipSchemaValidation?: boolean;
  /** `--kube-version` and `--api-versions` (Argo: the app's, else the destination cluster's). */
  kubeVersion?: string;
  apiVersions?: string[];
  /**
   * Argo CD's ARGOCD_APP_* build environment (set for Argo Applications only): parameter values are expanded with it
   * before helm runs, as repo-server does (reposerver/repository helmTemplate: env.Envsubst on Set and SetString).
   */
  env?: Record<string, string>;
}

export interface HelmDeps {
  runner: ProcessRunner;
  helmPath?: string;
  signal?: AbortSignal;
  /** Deadline of the tool run (default: renderTimeoutMs()). */
  timeoutMs?: number;
}

/** Helm's own release name rule (DNS-1123 subdomain, at most 53 characters). */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Kubernetes namespace (DNS-1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isValidReleaseName(name: string): boolean {
  return name.length <= 53 && RELEASE_NAME.test(name);
}

export function isValidNamespace(name: string): boolean {
  return name.length <= 63 && NAMESPACE.test(name);
}

/**
 * argo-cd util/helm cleanSetParameters: a `--set` value is one value, so its unescaped commas are escaped (helm would
 * split `a=x,y` into two assignments); a value in braces is a helm list (`{a,b}`) and passes as it is.
 */
export function argoSetValue(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const c of value) {
    out += c === ',' && prev !== '\\' ? '\\,' : c;
    prev = c;
  }
  return out;
}

export async function renderHelm(dir: string, opts: HelmOptions, deps: HelmDeps): Promise<RenderResult> {
  const result: RenderResult = { objects: [], skipped: [], errors: [] };
  // The release name comes from the Application (helm.releaseName or its name): never let it be read as a flag.
  if (!isValidReleaseName(opts.releaseName)) {
    const shown = JSON.stringify(opts.releaseName.length > 80 ? `${opts.releaseName.slice(0, 80)}…` : opts.releaseName);
    result.errors.push(new GitOpsError('invalid', `helm release name ${shown} for ${dir} is not valid: lowercase letters, digits, '-' and '.' (DNS-1123), at most 53 characters`, { file: dir }));
    return result;
  }
  if (opts.namespace !== undefined && opts.namespace !== '' && !isValidNamespace(opts.namespace)) {
    result.errors.push(new GitOpsError('invalid', `namespace ${JSON.stringify(opts.namespace)} for ${dir} is not a valid Kubernetes namespace (DNS-1123 label)`, { file: dir }));
    return result;
  }
  // Flags use `--flag=value` and positional arguments follow `--`, so no value can be taken for an option.
  const args = ['template'];
  if (!opts.skipCrds) args.push('--include-crds');
  if (opts.namespace) args.push(`--namespace=${opts.namespace}`);
  if (opts.kubeVersion) args.push(`--kube-version=${opts.kubeVersion}`);
  for (const v of opts.apiVersions ?? []) args.push(`--api-versions=${v}`);
  if (opts.skipTests) args.push('--skip-tests');
  if (opts.skipSchemaValidation) args.push('--skip-schema-validation');
  // Each file once, at its first place (repo-server getResolvedValueFiles appendUnique); Argo's globs expanded there,
  // leaving out files the list also names explicitly (they keep their explicit place).
  const seen = new Set<string>();
  const append = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    args.push(`--values=${file}`);
  };
  const isRemote = (f: string) => /^https?:\/\//.test(f);
  const globs = opts.env ? (opts.valueFiles ?? []).filter((f) => !isRemote(f) && isArgoGlob(f)) : [];
  const explicit = new Set((opts.valueFiles ?? []).filter((f) => !isRemote(f) && !globs.includes(f)).map((f) => path.resolve(dir, f)));
  for (const f of opts.valueFiles ?? []) {
    const file = isRemote(f) ? f : path.resolve(dir, f);
    if (globs.includes(f)) {
      const matches = await globValueFiles(file, deps.signal);
      if (matches.length === 0) {
        if (opts.ignoreMissingValueFiles) continue;
        result.errors.push(new GitOpsError('render', `helm template ${dir}: values file glob ${JSON.stringify(f)} matched no files`, { file: dir }));
        return result;
      }
      try {
        await checkGlobMatchesInside(matches, opts.repoRoot ?? dir, f);
      } catch (e) {
        if (!isGitOpsError(e)) throw e;
        result.errors.push(e);
        return result;
      }
      for (const m of matches) if (!explicit.has(m)) append(m);
      continue;
    }
    if (opts.ignoreMissingValueFiles && !isRemote(f) && !(await fs.stat(file).catch(() => undefined))) continue;
    append(file);
  }
  let tmpDir: string | undefined;
  try {
    if (opts.values !== undefined && opts.values !== '') {
      tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-helm-'));
      const file = path.join(tmpDir, 'values.yaml');
      await fs.writeFile(file, typeof opts.values === 'string' ? opts.values : stringify(opts.values));
      args.push(`--values=${file}`);
    }
    // As argo-cd util/helm Cmd.template: every value through cleanSetParameters; Argo's values first expanded.
    for (const p of opts.parameters ?? []) {
      const value = opts.env ? argoEnvsubst(String(p.value), opts.env) : String(p.value);
      args.push(`${p.forceString ? '--set-string' : '--set'}=${p.name}=${argoSetValue(value)}`);
    }
    for (const p of opts.fileParameters ?? []) args.push(`--set-file=${p.name}=${argoSetValue(path.resolve(dir, p.path))}`);
    const bin = deps.helmPath || 'helm';
    const template = (chart: string) => runLimited(deps.runner, bin, [...args, '--', opts.releaseName, chart], { cwd: chart, signal: deps.signal, timeoutMs: deps.timeoutMs, ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
    let res;
    try {
      res = await template(dir);
      // Declared dependencies not vendored in charts/: built in a shadow of the chart, then templated again (as repo-server does).
      if (res.code !== 0 && isMissingDependencyError(res.stderr)) {
        const built = await buildDependencies(dir, deps);
        if ('error' in built) {
          result.errors.push(built.error);
          return result;
        }
        try {
          res = await template(built.shadow.dir);
          res = { ...res, stderr: res.stderr.split(built.shadow.dir).join(dir) };
        } finally {
          await built.shadow.dispose();
        }
      }
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'unsupported') {
        result.errors.push(new GitOpsError('unsupported', `needs helm: ${bin} was not found; install helm or set gitopsDrift.helmPath to render ${dir}`, { file: dir }));
        return result;
      }
      throw e;
    }
    if (res.code !== 0) {
      result.errors.push(new GitOpsError('render', `helm template ${dir} failed: ${res.stderr.trim() || `exit code ${res.code}`}`, { file: dir }));
      return result;
    }
    const parsed = parseManifests(res.stdout, `helm template ${dir}`);
    for (const e of parsed.errors) result.errors.push(new GitOpsError('parse', e.message, { file: dir, line: e.line }));
    for (const d of parsed.docs) result.objects.push({ object: d.object });
    return result;
  } finally {
    if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
