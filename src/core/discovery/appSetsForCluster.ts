// The workspace's ApplicationSets with a clusters generator, expanded again with one cluster's Argo CD cluster
// Secrets: what that cluster's ApplicationSet controller generates. Their apps (or the set's own entry, when the
// workspace alone could not expand it) are replaced in place by the cluster's expansion.
import type { App, KubeObject } from '../model';
import type { ClusterSecretsOf } from './appSetClusters';
import { appsFromApplicationSet } from './argoApps';
import type { RepoInfo } from './repoInfo';

const setKey = (app: App): string | undefined => (app.appSetDefinition && app.definedIn ? `${app.definedIn.file}\u0000${app.definedIn.documentIndex}` : undefined);

/** Namespaces whose cluster Secrets these apps' ApplicationSets (workspace or live) read. */
export function clusterSecretNamespaces(wsApps: App[], liveAppSets: KubeObject[]): string[] {
  const ns = new Set<string>();
  for (const a of wsApps) if (a.appSetDefinition) ns.add(a.appSetDefinition.metadata.namespace ?? 'argocd');
  for (const o of liveAppSets) ns.add(o.metadata.namespace ?? 'argocd');
  return [...ns].sort();
}

export function appSetsForCluster(wsApps: App[], repos: RepoInfo[], secrets: ClusterSecretsOf): App[] {
  if (!wsApps.some((a) => a.appSetDefinition)) return wsApps;
  const out: App[] = [];
  const done = new Set<string>();
  for (const a of wsApps) {
    const key = setKey(a);
    if (!key) {
      out.push(a);
      continue;
    }
    if (done.has(key)) continue;
    done.add(key);
    out.push(...appsFromApplicationSet(a.appSetDefinition!, repos, a.definedIn, secrets));
  }
  return out;
}
