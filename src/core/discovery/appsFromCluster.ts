// Applications and Flux Kustomizations listed from a cluster, kept when they render from this workspace's repos.
import type { App, KubeObject } from '../model';
import { appFromArgoApplication, appsFromApplicationSet, isArgoApplication, isArgoApplicationSet } from './argoApps';
import { appFromFluxKustomization, isArtifactGenerator, isFluxGitRepository, isFluxKustomization } from './fluxApps';
import type { RepoInfo } from './repoInfo';

/**
 * `objects` may mix Applications, ApplicationSets (list generators only), Flux Kustomizations and the
 * GitRepositories/ArtifactGenerators they refer to. Apps whose repository is not in `repoRemotes` are dropped.
 */
export function appsFromCluster(objects: KubeObject[], repoRemotes: RepoInfo[]): App[] {
  const gitRepositories = objects.filter(isFluxGitRepository);
  const artifactGenerators = objects.filter(isArtifactGenerator);
  const apps: App[] = [];
  for (const o of objects) {
    if (isArgoApplication(o)) apps.push(appFromArgoApplication(o, repoRemotes));
    else if (isArgoApplicationSet(o)) apps.push(...appsFromApplicationSet(o, repoRemotes).filter((a) => !a.id.startsWith('argo-appset:')));
    else if (isFluxKustomization(o)) apps.push(appFromFluxKustomization(o, repoRemotes, { gitRepositories, artifactGenerators }));
  }
  // Only apps whose repository is here: they have a folder, or their path is missing from this checkout.
  return apps.filter((a) => a.path !== undefined || a.problem?.startsWith('path '));
}
