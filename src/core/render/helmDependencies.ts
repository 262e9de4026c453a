// Chart dependencies that are declared (Chart.yaml `dependencies`, or requirements.yaml of apiVersion v1 charts) but
// not vendored in `charts/`. Argo CD's repo-server runs `helm dependency build` when `helm template` fails on a
// missing dependency and templates again (reposerver/repository helmTemplate: helm.IsMissingDependencyErr, then
// runHelmBuild); Flux's source-controller builds them when it packages a chart from a Git source (local `file://`
// dependencies from the same artifact, others from repositories). Here the build runs in a throw-away shadow of the
// chart folder, never in the workspace, and a `file://` dependency outside the repository is refused before helm
// reads it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { GitOpsError } from '../model';
import type { ProcessRunner } from '../ports';
import { asObj } from '../k8s/json';
import { isWithin, isWithinReal, repoRootOf } from './repoBounds';
import { createShadowTree, type ShadowTree } from './shadowTree';
import { runLimited } from './spawnLimiter';

const MISSING = /found in (Chart|requirements)\.yaml, but missing in charts\/ directory/;

/** helm's own words when a declared dependency is not in `charts/` (what Argo CD's IsMissingDependencyErr looks for). */
export function isMissingDependencyError(stderr: string): boolean {
  return MISSING.test(stderr);
}

interface Dependency {
  name: string;
  repository: string;
}

async function declaredDependencies(dir: string): Promise<Dependency[]> {
  const out: Dependency[] = [];
  for (const file of ['Chart.yaml', 'requirements.yaml']) {
    const text = await fs.readFile(path.join(dir, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = parse(text, { maxAliasCount: 100 });
    } catch {
      continue; // helm itself reports a broken Chart.yaml
    }
    const deps = asObj(doc).dependencies;
    for (const d of Array.isArray(deps) ? deps.map(asObj) : []) {
      if (typeof d.name === 'string') out.push({ name: d.name, repository: typeof d.repository === 'string' ? d.repository : '' });
    }
  }
  return out;
}

/**
 * What a chart's render reads beside its folder: the folders of its `file://` dependencies; `remote` when a dependency
 * comes from a chart repository and `charts/` is missing (the render then depends on helm's repositories).
 */
export async function dependencyInputs(dir: string): Promise<{ dirs: string[]; remote: boolean }> {
  const declared = await declaredDependencies(dir);
  const dirs = declared.filter((d) => d.repository.startsWith('file://')).map((d) => path.resolve(dir, d.repository.slice('file://'.length)));
  const vendored = await fs.stat(path.join(dir, 'charts')).then((s) => s.isDirectory(), () => false);
  return { dirs, remote: !vendored && declared.some((d) => d.repository !== '' && !d.repository.startsWith('file://')) };
}

/**
 * `file://` dependencies must stay inside the chart's repository (outside a repository: below the chart's parent).
 * Returns the refusal, or undefined when every local dependency is inside.
 */
async function outsideDependency(dir: string, deps: Dependency[]): Promise<GitOpsError | undefined> {
  const root = (await repoRootOf(dir)) ?? path.dirname(dir);
  for (const d of deps) {
    if (!d.repository.startsWith('file://')) continue;
    const target = path.resolve(dir, d.repository.slice('file://'.length));
    if (!isWithin(root, target) || !isWithinReal(root, target)) {
      return new GitOpsError('invalid', `chart dependency ${d.name} of ${dir} (${d.repository}) is outside the repository ${root}; refused`, { file: path.join(dir, 'Chart.yaml') });
    }
  }
  return undefined;
}

export interface DependencyBuildDeps {
  runner: ProcessRunner;
  helmPath?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * A shadow of the chart folder with its dependencies built into the shadow's own `charts/` (the workspace is not
 * written), or an error naming the chart and what helm said. The caller templates `shadow.dir` and disposes it.
 */
export async function buildDependencies(dir: string, deps: DependencyBuildDeps): Promise<{ shadow: ShadowTree } | { error: GitOpsError }> {
  const declared = await declaredDependencies(dir);
  const outside = await outsideDependency(dir, declared);
  if (outside) return { error: outside };
  const shadow = await createShadowTree(dir);
  try {
    // helm writes `charts/` (and a missing Chart.lock): they must be the shadow's own, not links into the workspace.
    const charts = path.join(shadow.dir, 'charts');
    const linked = await fs.lstat(charts).then((s) => s.isSymbolicLink(), () => false);
    if (linked) {
      await fs.unlink(charts);
      await fs.mkdir(charts);
      for (const e of await fs.readdir(path.join(dir, 'charts'))) await fs.symlink(path.join(dir, 'charts', e), path.join(charts, e));
    }
    for (const lock of ['Chart.lock', 'requirements.lock']) {
      const p = path.join(shadow.dir, lock);
      if (await fs.lstat(p).then((s) => s.isSymbolicLink(), () => false)) {
        await fs.unlink(p);
        await fs.copyFile(path.join(dir, lock), p);
      }
    }
    const bin = deps.helmPath || 'helm';
    const res = await runLimited(deps.runner, bin, ['dependency', 'build', '--skip-refresh', '--', shadow.dir], { cwd: shadow.dir, signal: deps.signal, timeoutMs: deps.timeoutMs });
    if (res.code !== 0) {
      await shadow.dispose();
      const said = res.stderr.split(shadow.dir).join(dir).trim() || `exit code ${res.code}`;
      const remote = declared.filter((d) => d.repository && !d.repository.startsWith('file://')).map((d) => `${d.name} (${d.repository})`);
      const hint = remote.length ? `; dependencies from chart repositories (${remote.join(', ')}) are fetched only when helm has the repository (helm repo add) and can reach it` : '';
      return { error: new GitOpsError('render', `chart dependencies of ${dir} are not vendored in charts/ and helm dependency build failed: ${said}${hint}`, { file: path.join(dir, 'Chart.yaml') }) };
    }
    return { shadow };
  } catch (e) {
    await shadow.dispose();
    throw e;
  }
}
