// Applications, Flux Kustomizations and HelmReleases listed from a cluster, kept when they render from this workspace's repos.
import type { App, KubeObject } from '../model';
import { appFromArgoApplication, appsFromApplicationSet, isArgoApplication, isArgoApplicationSet } from './argoApps';
import { appFromFluxKustomization, isArtifactGenerator, isFluxGitRepository, isFluxKustomization } from './fluxApps';
import { appFromFluxHelmRelease, isFluxChartRepository, isFluxHelmChart, isFluxHelmRelease } from './fluxHelmReleases';
import type { RepoInfo } from './repoInfo';
import type { ClusterSecretsOf } from './appSetClusters';

/**
 * `objects` may mix Applications, ApplicationSets (clusters generators with `clusterSecrets`), Flux Kustomizations and the
 * GitRepositories/ArtifactGenerators they refer to. Apps whose repository is not in `repoRemotes` are dropped.
 */
export function appsFromCluster(objects: KubeObject[], repoRemotes: RepoInfo[], clusterSecrets?: ClusterSecretsOf): App[] {
  const gitRepositories = objects.filter(isFluxGitRepository);
  const artifactGenerators = objects.filter(isArtifactGenerator);
  const apps: App[] = [];
  for (const o of objects) {
    if (isArgoApplication(o)) apps.push(appFromArgoApplication(o, repoRemotes));
    else if (isArgoApplicationSet(o)) apps.push(...appsFromApplicationSet(o, repoRemotes, undefined, clusterSecrets).filter((a) => !a.id.startsWith('argo-appset:')));
    else if (isFluxKustomization(o)) apps.push(appFromFluxKustomization(o, repoRemotes, { gitRepositories, artifactGenerators }));
    else if (isFluxHelmRelease(o)) {
      const a = appFromFluxHelmRelease(o, repoRemotes, { gitRepositories, helmCharts: objects.filter(isFluxHelmChart), chartRepositories: objects.filter(isFluxChartRepository) });
      // Only a chart from this workspace makes a HelmRelease of the cluster one of its apps (not one in helm's cache).
      if (a.helmRelease?.local && !a.helmRelease.archive) apps.push(a);
    }
  }
  // Only apps whose repository is here: they have a folder, or their path is missing from this checkout.
  return apps.filter((a) => a.path !== undefined || a.problem?.startsWith('path '));
}
