// GitOps objects as the cluster has them: Argo Applications, Flux Kustomizations, HelmReleases and sources,
// for the tree and for finding apps that are not in the workspace.
import { isGitOpsError, type App, type KubeObject, type SourceType } from '../model';
import { mapWithConcurrency } from './concurrency';
import type { KubeClient, TypeRef } from './types';

export const ARGO_APPLICATION: TypeRef = { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application' };
export const ARGO_APPLICATIONSET: TypeRef = { group: 'argoproj.io', version: 'v1alpha1', kind: 'ApplicationSet' };
export const FLUX_KUSTOMIZATION: TypeRef = { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' };
export const FLUX_HELMRELEASE: TypeRef = { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease' };
export const FLUX_GITREPOSITORY: TypeRef = { group: 'source.toolkit.fluxcd.io', kind: 'GitRepository' };

export interface ClusterGitOpsObjects {
  applications: KubeObject[];
  kustomizations: KubeObject[];
  helmReleases: KubeObject[];
  gitRepositories: KubeObject[];
  /** Kinds the cluster does not serve (CRD not installed): no error, just absent. */
  notServed: string[];
}

/** Lists all four kinds in all namespaces (or one); a kind whose CRD is missing yields an empty list. */
export async function listClusterGitOpsObjects(client: KubeClient, opts: { namespace?: string; signal?: AbortSignal } = {}): Promise<ClusterGitOpsObjects> {
  const kinds = [ARGO_APPLICATION, FLUX_KUSTOMIZATION, FLUX_HELMRELEASE, FLUX_GITREPOSITORY];
  const notServed: string[] = [];
  const lists = await mapWithConcurrency(
    kinds,
    4,
    async (t) => {
      try {
        await client.resolve({ group: t.group, kind: t.kind }, opts.signal);
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'notFound') {
          notServed.push(`${t.kind}.${t.group}`);
          return [];
        }
        throw e;
      }
      return (await client.list({ group: t.group, kind: t.kind }, { namespace: opts.namespace, signal: opts.signal })).items;
    },
    opts.signal,
  );
  return { applications: lists[0], kustomizations: lists[1], helmReleases: lists[2], gitRepositories: lists[3], notServed };
}

function argoSourceType(src: Record<string, unknown> | undefined): SourceType {
  if (!src) return 'unknown';
  if (src.chart || src.helm) return 'helm';
  if (src.kustomize) return 'kustomize';
  if (src.directory) return 'directory';
  return 'unknown';
}

/** App for a cluster-side Argo Application (its folder is unknown until matched with the workspace). */
export function appFromArgoApplication(obj: KubeObject): App {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const src = (spec.source ?? spec.sources?.[0]) as Record<string, any> | undefined;
  const ns = obj.metadata.namespace ?? '';
  return {
    id: `argo:${ns}/${obj.metadata.name}`,
    name: obj.metadata.name ?? '',
    kind: 'argo-application',
    namespace: ns,
    sourceType: argoSourceType(src),
    repoURL: src?.repoURL,
    targetRevision: src?.targetRevision,
    destinationNamespace: spec.destination?.namespace,
    directory: src?.directory ? { recurse: src.directory.recurse, include: src.directory.include, exclude: src.directory.exclude } : undefined,
    definition: obj,
  };
}

/** App for a cluster-side Flux Kustomization; repoURL comes from its GitRepository when given. */
export function appFromFluxKustomization(obj: KubeObject, gitRepositories: readonly KubeObject[] = []): App {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const ns = obj.metadata.namespace ?? '';
  const srcNs = spec.sourceRef?.namespace ?? ns;
  const repo = gitRepositories.find((g) => spec.sourceRef?.kind === 'GitRepository' && g.metadata.name === spec.sourceRef?.name && g.metadata.namespace === srcNs);
  const repoSpec = (repo?.spec ?? {}) as Record<string, any>;
  const ref = repoSpec.ref ?? {};
  return {
    id: `flux:${ns}/${obj.metadata.name}`,
    name: obj.metadata.name ?? '',
    kind: 'flux-kustomization',
    namespace: ns,
    sourceType: 'kustomize',
    repoURL: repoSpec.url,
    targetRevision: ref.commit ?? ref.tag ?? ref.semver ?? ref.name ?? ref.branch,
    destinationNamespace: spec.targetNamespace,
    definition: obj,
  };
}
