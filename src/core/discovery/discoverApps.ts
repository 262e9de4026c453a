// Finds the GitOps apps of a workspace: Argo CD Applications/ApplicationSets, Flux Kustomizations and HelmReleases,
// and folders.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { App, KubeObject, SourceLocation } from '../model';
import { throwIfAborted, type Logger, type ProcessRunner } from '../ports';
import { parseManifests } from '../yaml/parseManifests';
import { appFromArgoApplication, appsFromApplicationSet, isArgoApplication, isArgoApplicationSet } from './argoApps';
import { folderApps } from './folderApps';
import { appFromFluxKustomization, isArtifactGenerator, isFluxGitRepository, isFluxKustomization } from './fluxApps';
import { appFromFluxHelmRelease, isFluxChartRepository, isFluxHelmChart, isFluxHelmRelease } from './fluxHelmReleases';
import { readRepoInfo, type RepoInfo } from './repoInfo';
import { scanWorkspace } from './scanWorkspace';
import { clusterSecretsFromManifests } from './appSetClusters';

export interface DiscoverOptions {
  /** Used to ask `git` for remotes; without it `.git/config` is read. */
  runner?: ProcessRunner;
  signal?: AbortSignal;
  /** Repositories to use instead of asking git (e.g. folders that are copies of a repo, or extra checkouts). */
  repos?: RepoInfo[];
  /** Also list folder apps (kustomize roots, charts, manifest folders) nothing else renders. Default true. */
  folders?: boolean;
  /** Told about Argo/Flux files that cannot be parsed (they yield no app). */
  logger?: Logger;
}

interface Declared {
  object: KubeObject;
  at: SourceLocation;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Same name declared in several places (e.g. one `apps` Kustomization per cluster folder): disambiguate by folder. */
function uniqueIds(apps: App[], baseOf: (dir: string) => string): App[] {
  const counts = new Map<string, number>();
  for (const a of apps) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  const byDir = apps.map((a) => {
    if ((counts.get(a.id) ?? 0) < 2 || !a.definedIn) return a;
    const dir = path.dirname(a.definedIn.file);
    return { ...a, id: `${a.id}@${path.relative(baseOf(dir), dir).split(path.sep).join('/') || '.'}` };
  });
  // Still the same (declared twice in one folder): number the later ones.
  const seen = new Map<string, number>();
  return byDir.map((a) => {
    const n = (seen.get(a.id) ?? 0) + 1;
    seen.set(a.id, n);
    return n === 1 ? a : { ...a, id: `${a.id}#${n}` };
  });
}

export async function discoverApps(roots: string[], opts: DiscoverOptions = {}): Promise<App[]> {
  const absRoots = roots.map((r) => path.resolve(r));
  const repos: RepoInfo[] = [...(opts.repos ?? [])];
  for (const r of absRoots) {
    if (repos.some((x) => isInside(r, x.root))) continue;
    const info = await readRepoInfo(r, { runner: opts.runner, signal: opts.signal });
    if (info) repos.push(info);
  }
  const scan = await scanWorkspace(absRoots, opts.signal);
  // Checkouts nested below a workspace folder (a folder of several repos) count too.
  for (const g of scan.gitRoots) {
    if (repos.some((x) => x.root === g)) continue;
    const info = await readRepoInfo(g, { runner: opts.runner, signal: opts.signal });
    if (info && !repos.some((x) => x.root === info.root)) repos.push(info);
  }
  const repoOf = (file: string) => repos.filter((r) => isInside(file, r.root)).sort((a, b) => b.root.length - a.root.length)[0];
  // Outside any git checkout, Flux paths are taken relative to the workspace folder (where flux bootstrap puts the repo root).
  const declaringRepoOf = (file: string): RepoInfo | undefined => {
    const root = absRoots.filter((r) => isInside(file, r)).sort((a, b) => b.length - a.length)[0];
    return repoOf(file) ?? (root ? { root, urls: [] } : undefined);
  };

  const declared: Declared[] = [];
  for (const file of scan.gitopsFiles) {
    throwIfAborted(opts.signal);
    const parsed = parseManifests(await fs.readFile(file, 'utf8'), file);
    for (const e of parsed.errors) opts.logger?.warn(`Skipping a document that cannot be parsed: ${e.message}`);
    for (const d of parsed.docs) declared.push({ object: d.object, at: { file, documentIndex: d.documentIndex, startLine: d.startLine, endLine: d.endLine } });
  }
  const objects = declared.map((d) => d.object);
  // Argo CD cluster Secrets declared in the workspace: what a clusters generator expands with when there is no cluster.
  const secretDocs: KubeObject[] = [];
  for (const file of scan.clusterSecretFiles) {
    throwIfAborted(opts.signal);
    secretDocs.push(...parseManifests(await fs.readFile(file, 'utf8'), file).docs.map((d) => d.object));
  }
  const clusterSecrets = clusterSecretsFromManifests(secretDocs);
  const gitRepositories = objects.filter(isFluxGitRepository);
  const artifactGenerators = objects.filter(isArtifactGenerator);
  const helmCharts = objects.filter(isFluxHelmChart);
  const chartRepositories = objects.filter(isFluxChartRepository);

  const apps: App[] = [];
  for (const { object, at } of declared) {
    if (isArgoApplication(object)) {
      if (object.spec) apps.push(appFromArgoApplication(object, repos, at));
    } else if (isArgoApplicationSet(object)) {
      apps.push(...appsFromApplicationSet(object, repos, at, clusterSecrets));
    } else if (isFluxKustomization(object)) {
      // Files with a Kustomization but no sourceRef are kustomize patches of one, not declarations.
      const spec = object.spec as { sourceRef?: unknown } | undefined;
      if (spec?.sourceRef) apps.push(appFromFluxKustomization(object, repos, { gitRepositories, artifactGenerators, declaringRepo: declaringRepoOf(at.file) }, at));
    } else if (isFluxHelmRelease(object)) {
      // As for Kustomizations: a HelmRelease naming no chart source is a kustomize patch of one, not a declaration.
      const spec = object.spec as { chart?: { spec?: { sourceRef?: unknown } }; chartRef?: unknown } | undefined;
      if (spec?.chart?.spec?.sourceRef || spec?.chartRef) apps.push(appFromFluxHelmRelease(object, repos, { gitRepositories, helmCharts, chartRepositories, declaringRepo: declaringRepoOf(at.file) }, at));
    }
  }
  const all = opts.folders === false ? apps : [...apps, ...(await folderApps({ scan, roots: absRoots, apps }))];
  // Suffixes are relative to the repository (stable whichever subfolder is opened), else to the workspace root.
  const baseOf = (dir: string) => repoOf(dir)?.root ?? absRoots.filter((r) => isInside(dir, r)).sort((x, y) => y.length - x.length)[0] ?? dir;
  return uniqueIds(all, baseOf);
}
