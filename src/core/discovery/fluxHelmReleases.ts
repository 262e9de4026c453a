// Flux HelmReleases (helm.toolkit.fluxcd.io/v2, v2beta1, v2beta2) turned into App entries. A chart from a
// GitRepository in the workspace (`chart.spec.sourceRef` + `chart` path, or `chartRef` to a HelmChart of such a
// source) is rendered locally; a chart from a HelmRepository or OCIRepository is never fetched: it is rendered from
// helm's local cache when the archive is there (render/helmRepoCache.ts), else its desired state is the release
// helm-controller stored in the cluster (the app says where the chart would come from).
import * as path from 'node:path';
import type { App, HelmReleaseInfo, KubeObject, SourceLocation } from '../model';
import { isWithin, isWithinReal } from '../render/repoBounds';
import { findCachedChart, type HelmCachePaths } from '../render/helmRepoCache';
import { isDirectorySync } from './detectSourceTypeSync';
import { DEFAULT_FLUX_NAMESPACE } from './fluxApps';
import { resolveRepo, type RepoInfo } from './repoInfo';
import { type JsonObject as Obj, asObj, nonEmptyString as str } from '../k8s/json';


/** Appended to the problem of a HelmRelease whose chart is not rendered here (the engine then reads the stored release). */
export const STORED = '; compared with the release stored in the cluster';

export function isFluxHelmRelease(o: KubeObject): boolean {
  return o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

export function isFluxHelmChart(o: KubeObject): boolean {
  return o.kind === 'HelmChart' && o.apiVersion.startsWith('source.toolkit.fluxcd.io/');
}

export interface HelmReleaseSources {
  gitRepositories: KubeObject[];
  helmCharts: KubeObject[];
  /** Repository of the file declaring the HelmRelease (a bootstrap GitRepository is often not in Git). */
  declaringRepo?: RepoInfo;
  /** HelmRepositories / OCIRepositories (their URL finds a remote chart in helm's cache). */
  chartRepositories?: KubeObject[];
  /** helm's cache folders (default: as helm resolves them from the environment). */
  helmCache?: HelmCachePaths;
}

export function isFluxChartRepository(o: KubeObject): boolean {
  return (o.kind === 'HelmRepository' || o.kind === 'OCIRepository') && o.apiVersion.startsWith('source.toolkit.fluxcd.io/');
}

/** helm-controller's release name, release namespace and storage namespace of a HelmRelease. */
export function helmReleaseNames(obj: KubeObject): Pick<HelmReleaseInfo, 'releaseName' | 'releaseNamespace' | 'storageNamespace'> {
  const spec = asObj(obj.spec);
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE;
  const target = str(spec.targetNamespace);
  return {
    releaseName: str(spec.releaseName) ?? (target ? `${target}-${name}` : name),
    releaseNamespace: target ?? namespace,
    storageNamespace: str(spec.storageNamespace) ?? namespace,
  };
}

interface ChartRef {
  sourceKind: string;
  sourceName: string;
  sourceNamespace: string;
  /** Chart path (GitRepository) or chart name (HelmRepository). */
  chart?: string;
  version?: string;
  valuesFiles: string[];
  ignoreMissingValuesFiles: boolean;
}

/** The chart's source: `spec.chart.spec`, or `spec.chartRef` (a HelmChart is followed to its own source). */
function chartRefOf(obj: KubeObject, helmCharts: KubeObject[]): ChartRef | { problem: string } {
  const spec = asObj(obj.spec);
  const namespace = obj.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const fromTemplate = (c: Obj, ns: string): ChartRef => {
    const ref = asObj(c.sourceRef);
    return {
      sourceKind: str(ref.kind) ?? 'HelmRepository',
      sourceName: str(ref.name) ?? '',
      sourceNamespace: str(ref.namespace) ?? ns,
      chart: str(c.chart),
      version: str(c.version),
      valuesFiles: strings(c.valuesFiles),
      ignoreMissingValuesFiles: c.ignoreMissingValuesFiles === true,
    };
  };
  const chart = asObj(asObj(spec.chart).spec);
  if (Object.keys(chart).length > 0) return fromTemplate(chart, namespace);
  const ref = asObj(spec.chartRef);
  const kind = str(ref.kind);
  const name = str(ref.name) ?? '';
  const refNs = str(ref.namespace) ?? namespace;
  if (!kind) return { problem: 'the HelmRelease has neither spec.chart nor spec.chartRef' };
  if (kind === 'HelmChart') {
    const hc = helmCharts.find((h) => h.metadata.name === name && (h.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE) === refNs);
    if (!hc) return { sourceKind: 'HelmChart', sourceName: name, sourceNamespace: refNs, valuesFiles: [], ignoreMissingValuesFiles: false };
    return fromTemplate(asObj(hc.spec), refNs);
  }
  return { sourceKind: kind, sourceName: name, sourceNamespace: refNs, valuesFiles: [], ignoreMissingValuesFiles: false };
}

function describe(c: ChartRef): string {
  const src = `${c.sourceKind} ${c.sourceNamespace}/${c.sourceName}`;
  if (c.sourceKind === 'GitRepository' || c.sourceKind === 'Bucket') return `${src} ${c.chart ?? ''}`.trim();
  if (c.chart) return `${src} chart ${c.chart}${c.version ? ` ${c.version}` : ''}`;
  return src;
}

export function appFromFluxHelmRelease(obj: KubeObject, repos: RepoInfo[], sources: HelmReleaseSources, definedIn?: SourceLocation): App {
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE;
  const spec = asObj(obj.spec);
  const names = helmReleaseNames(obj);
  const app: App = {
    id: `flux-helmrelease:${namespace}/${name}`,
    name,
    kind: 'flux-helmrelease',
    namespace,
    sourceType: 'unknown',
    destinationNamespace: names.releaseNamespace,
    definedIn,
    definition: obj,
  };
  const dependsOn = (Array.isArray(spec.dependsOn) ? spec.dependsOn : []).map(asObj).filter((d) => str(d.name)).map((d) => `${str(d.namespace) ?? namespace}/${str(d.name)}`);
  if (dependsOn.length > 0) app.dependsOn = dependsOn;
  const chart = chartRefOf(obj, sources.helmCharts);
  if ('problem' in chart) {
    app.helmRelease = { ...names, chartSource: 'unknown', local: false };
    return { ...app, problem: `${chart.problem}${STORED}` };
  }
  const info: HelmReleaseInfo = { ...names, chartSource: describe(chart), local: false };
  app.helmRelease = info;
  if (chart.sourceKind === 'HelmRepository' || chart.sourceKind === 'OCIRepository') {
    // Fetched by source-controller from a chart repository or registry: rendered when helm has the archive cached,
    // else the stored release is what was installed.
    const src = (sources.chartRepositories ?? []).find((r) => r.kind === chart.sourceKind && r.metadata.name === chart.sourceName && (r.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE) === chart.sourceNamespace);
    const sspec = asObj(src?.spec);
    const url = str(sspec.url);
    const ref = asObj(sspec.ref);
    const oci = chart.sourceKind === 'OCIRepository';
    const name = oci ? (url ? path.posix.basename(url.replace(/\/+$/, '')) : chart.sourceName) : chart.chart;
    const version = oci ? (str(ref.tag) ?? str(ref.semver) ?? chart.version) : chart.version;
    if (!name) return { ...app, problem: `chart from ${info.chartSource} names no chart${STORED}` };
    const found = url ? findCachedChart({ sourceKind: chart.sourceKind, url, chart: name, version }, sources.helmCache) : { missing: `${chart.sourceKind} ${chart.sourceNamespace}/${chart.sourceName} is not in the workspace, its URL is unknown here` };
    if ('missing' in found) return { ...app, problem: `chart from ${info.chartSource} is not in the workspace or helm's cache: ${found.missing}${STORED}` };
    app.helmRelease = {
      ...info,
      chartSource: `${info.chartSource} → ${found.version} from ${found.from}`,
      local: true,
      archive: found.archive,
      chartRequest: { sourceKind: chart.sourceKind, url: url as string, chart: name, ...(version ? { version } : {}), resolved: found.version },
      ...(chart.valuesFiles.length ? { chartValuesFiles: chart.valuesFiles, ignoreMissingValuesFiles: chart.ignoreMissingValuesFiles } : {}),
    };
    return { ...app, path: found.archive, sourceType: 'helm' };
  }
  if (chart.sourceKind !== 'GitRepository') {
    // A Bucket or an unknown source kind: the stored release is what was installed.
    return { ...app, problem: `chart from ${info.chartSource} is not in the workspace${STORED}` };
  }
  const gitRepo = sources.gitRepositories.find((g) => g.metadata.name === chart.sourceName && (g.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE) === chart.sourceNamespace);
  let repo: RepoInfo | undefined;
  let problem: string | undefined;
  if (gitRepo) {
    const gspec = asObj(gitRepo.spec);
    const gref = asObj(gspec.ref);
    app.repoURL = str(gspec.url);
    app.targetRevision = str(gref.branch) ?? str(gref.tag) ?? str(gref.semver) ?? str(gref.name) ?? str(gref.commit);
    ({ repo, problem } = app.repoURL ? resolveRepo(repos, app.repoURL, str(gref.branch)) : { repo: undefined, problem: `GitRepository ${chart.sourceName} has no url` });
  } else {
    repo = sources.declaringRepo;
    if (!repo) problem = `GitRepository ${chart.sourceNamespace}/${chart.sourceName} was not found`;
  }
  if (!repo) return { ...app, problem: `${problem ?? 'repository not in the workspace'}${STORED}` };
  const chartPath = chart.chart ?? '.';
  const folder = path.resolve(repo.root, chartPath.replace(/^\/+/, ''));
  if (!isWithin(repo.root, folder) || !isWithinReal(repo.root, folder)) return { ...app, problem: `chart path ${chartPath} is outside the repository ${repo.root}, refused${STORED}` };
  if (!isDirectorySync(folder)) return { ...app, problem: `chart path ${chartPath} was not found in ${repo.root}${STORED}` };
  // Values files of a Git source are relative to the repository root (source-controller's chart build).
  const valuesFiles = chart.valuesFiles.map((f) => path.resolve(repo.root, f.replace(/^\/+/, '')));
  const outside = chart.valuesFiles.find((f, i) => !isWithin(repo.root, valuesFiles[i]));
  if (outside) return { ...app, problem: `values file ${outside} is outside the repository ${repo.root}, refused${STORED}` };
  app.helmRelease = { ...info, local: true, ...(valuesFiles.length ? { valuesFiles, ignoreMissingValuesFiles: chart.ignoreMissingValuesFiles } : {}) };
  app.path = folder;
  app.repoRoot = repo.root;
  app.sourceType = 'helm';
  if (problem) app.problem = problem;
  return app;
}

/** The chart version a live HelmRelease's status says is installed (helm-controller's latest release snapshot). */
function installedChartVersion(live: KubeObject): string | undefined {
  const status = asObj(live.status);
  const latest = asObj(Array.isArray(status.history) ? status.history[0] : undefined);
  return str(latest.chartVersion) ?? str(status.lastAppliedRevision);
}

/**
 * A cached chart follows the version the cluster runs: helm-controller resolved the range against the repository's
 * current index, which a cached index may lag. When the live status names another version, that archive is
 * rendered if helm has it; otherwise the app is compared with the stored release, saying why.
 */
export function withInstalledChart(app: App, live: KubeObject): App {
  const info = app.helmRelease;
  const req = info?.chartRequest;
  const installed = installedChartVersion(live);
  if (!info?.archive || !req || !installed || installed === req.resolved) return app;
  const found = findCachedChart({ sourceKind: req.sourceKind, url: req.url, chart: req.chart, version: installed });
  const base = info.chartSource.replace(/ → .*$/, '');
  if ('archive' in found && found.version === installed) {
    return { ...app, path: found.archive, helmRelease: { ...info, archive: found.archive, chartSource: `${base} → ${installed} (installed) from ${found.from}`, chartRequest: { ...req, resolved: installed } } };
  }
  const { archive: _a, chartValuesFiles: _v, chartRequest: _r, ...rest } = info;
  return {
    ...app,
    path: undefined,
    sourceType: 'unknown',
    helmRelease: { ...rest, chartSource: base, local: false },
    problem: `chart from ${base} is not in helm's cache at the version the cluster runs (${installed}; the cached index resolves ${req.version ?? '*'} to ${req.resolved}: helm repo update, then helm pull ${req.chart} --repo ${req.url} --version ${installed})${STORED}`,
  };
}
