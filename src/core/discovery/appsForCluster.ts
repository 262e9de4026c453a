// Which workspace definitions belong to one cluster. A repository often declares the same app once per cluster
// (`clusters/staging/apps.yaml` and `clusters/production/apps.yaml`, both `flux-system/apps`): the live object
// decides which one this cluster runs. A live Kustomization is matched with the definition at its live
// `spec.path` (and source); an Application with the definition whose source is its live source, else the one its
// live parent (a Kustomization or app of apps applying the folder) renders. Definitions of the same app from
// other clusters' folders are dropped for this cluster; live apps with no matching definition are rendered from
// their live spec (as appsFromCluster does).
import * as path from 'node:path';
import type { App, KubeObject } from '../model';
import { appsFromCluster } from './appsFromCluster';
import { isArgoApplication } from './argoApps';
import { DEFAULT_FLUX_NAMESPACE, isFluxKustomization } from './fluxApps';
import { helmReleaseNames, isFluxHelmRelease, withInstalledChart } from './fluxHelmReleases';
import { normalizeRepoURL, type RepoInfo } from './repoInfo';
import { asObj } from '../k8s/json';
import type { ClusterSecretsOf } from './appSetClusters';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `group/Kind/namespace/name` of the live object an app is, as the engine keys live apps. */
export function appObjectKeyOf(app: App): string | undefined {
  if (!app.namespace) return undefined;
  if (app.kind === 'argo-application') return `argoproj.io/Application/${app.namespace}/${app.name}`;
  if (app.kind === 'flux-kustomization' && (!app.definition || isFluxKustomization(app.definition))) return `kustomize.toolkit.fluxcd.io/Kustomization/${app.namespace}/${app.name}`;
  if (app.kind === 'flux-helmrelease') return `helm.toolkit.fluxcd.io/HelmRelease/${app.namespace}/${app.name}`;
  return undefined;
}

function liveKey(o: KubeObject): string | undefined {
  const ns = o.metadata.namespace ?? '';
  if (isArgoApplication(o)) return `argoproj.io/Application/${ns}/${o.metadata.name ?? ''}`;
  if (isFluxKustomization(o)) return `kustomize.toolkit.fluxcd.io/Kustomization/${ns}/${o.metadata.name ?? ''}`;
  if (isFluxHelmRelease(o)) return `helm.toolkit.fluxcd.io/HelmRelease/${ns}/${o.metadata.name ?? ''}`;
  return undefined;
}

/** `./staging/`, `staging` and `/staging` are the same Flux path. */
function cleanPath(p: string): string {
  return path.posix.normalize(p.replace(/^\.?\/*/, '') || '.').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** What decides which folder a Kustomization / Application renders: its source and path(s). */
function sourceSignature(o: KubeObject | undefined): string {
  const spec = asObj(o?.spec);
  if (o && isFluxKustomization(o)) {
    const ref = asObj(spec.sourceRef);
    return `${str(ref.kind)}/${str(ref.namespace) || (o.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE)}/${str(ref.name)}:${cleanPath(str(spec.path))}`;
  }
  if (o && isFluxHelmRelease(o)) {
    // The chart's source and path (or chartRef); values differ per cluster but the definition at this chart is the one.
    const chart = asObj(asObj(spec.chart).spec);
    const ref = Object.keys(chart).length ? asObj(chart.sourceRef) : asObj(spec.chartRef);
    const ns = str(ref.namespace) || (o.metadata.namespace ?? DEFAULT_FLUX_NAMESPACE);
    return `${str(ref.kind)}/${ns}/${str(ref.name)}:${str(ref.kind) === 'GitRepository' ? cleanPath(str(chart.chart)) : str(chart.chart)}`;
  }
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].map(asObj).filter((s) => Object.keys(s).length > 0);
  return sources.map((s) => `${normalizeRepoURL(str(s.repoURL))}|${cleanPath(str(s.path))}|${str(s.chart)}`).join(',');
}

/**
 * The workspace apps this cluster runs plus the live apps rendered from their live spec. `liveObjects` are the
 * listed Applications, ApplicationSets, Kustomizations and GitRepositories of the cluster.
 */
export function appsForCluster(wsApps: App[], liveObjects: KubeObject[], repos: RepoInfo[], clusterSecrets?: ClusterSecretsOf): App[] {
  const live = new Map<string, KubeObject>();
  for (const o of liveObjects) {
    const k = liveKey(o);
    if (k) live.set(k, o);
  }
  // Folders the cluster's live apps render (their live path, resolved in the workspace): what this cluster applies.
  const liveApps = appsFromCluster(liveObjects, repos, clusterSecrets);
  // A set walked up from each definition's file: linear in the apps (a pass over every folder per definition took
  // ~0.3 s of the editor's thread at 1,000 apps).
  const appliedDirs = new Set(liveApps.map((a) => a.path).filter((p): p is string => !!p).map((p) => path.resolve(p)));
  const applied = (a: App) => {
    if (!a.definedIn) return false;
    for (let d = path.resolve(a.definedIn.file); ; d = path.dirname(d)) {
      if (appliedDirs.has(d)) return true;
      if (path.dirname(d) === d) return false;
    }
  };

  const byKey = new Map<string, App[]>();
  for (const a of wsApps) {
    const k = appObjectKeyOf(a);
    if (k && live.has(k)) byKey.set(k, [...(byKey.get(k) ?? []), a]);
  }
  const chosen = new Map<string, App | undefined>();
  for (const [k, candidates] of byKey) {
    const want = sourceSignature(live.get(k));
    const samePath = candidates.filter((a) => sourceSignature(a.definition) === want);
    // Several at the live path (copies in two cluster folders): the one in a folder this cluster applies.
    // None at the live path: the live spec is rendered (the controller applies that, not a definition here).
    chosen.set(k, samePath.find(applied) ?? samePath[0]);
  }
  const kept = wsApps.filter((a) => {
    const k = appObjectKeyOf(a);
    if (!k || !chosen.has(k)) return true;
    return chosen.get(k) === a;
  });
  const known = new Set(kept.map(appObjectKeyOf).filter(Boolean));
  return [...kept.map((a) => withLiveHelmRelease(a, live)), ...liveApps.filter((a) => !known.has(appObjectKeyOf(a)))];
}

/**
 * A HelmRelease the cluster runs is rendered with its live spec (values, valuesFrom, postRenderers): that is what
 * helm-controller installs, whichever overlay patched it; a difference between Git and that spec is drift of the
 * HelmRelease object in the Kustomization applying it. The chart stays the workspace's (same source and path).
 */
function withLiveHelmRelease(a: App, live: Map<string, KubeObject>): App {
  if (a.kind !== 'flux-helmrelease') return a;
  const k = appObjectKeyOf(a);
  const obj = k ? live.get(k) : undefined;
  if (!obj || sourceSignature(obj) !== sourceSignature(a.definition)) return a;
  const names = helmReleaseNames(obj);
  return withInstalledChart({ ...a, definition: obj, destinationNamespace: names.releaseNamespace, helmRelease: a.helmRelease && { ...a.helmRelease, ...names } }, obj);
}
