// Pipeline stage 1, discovery: the workspace's apps (read once, until a file that defines them changes) and the
// Argo CD / Flux objects a cluster runs (with the scopes they could be listed at, for watching).
import type { App, GitOpsError, KubeObject } from '../model';
import { isGitOpsError, GitOpsError as GitOpsErrorClass } from '../model';
import { throwIfAborted, type ProcessRunner } from '../ports';
import { discoverApps } from '../discovery/discoverApps';
import { readRepoInfo, type RepoInfo } from '../discovery/repoInfo';
import type { KubeClient, TypeRef } from '../kube/types';

export const APP_TYPES: TypeRef[] = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
  { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease' },
  { group: 'source.toolkit.fluxcd.io', kind: 'GitRepository' },
];

/** A type to watch, in one namespace or (namespace undefined) across all of them / cluster-scoped. */
export interface WatchScope extends TypeRef {
  namespace?: string;
}

function appTypeOfKind(kind: string): TypeRef {
  return APP_TYPES.find((t) => t.kind === kind)!;
}

/** App kind → the resource its live object is (for reading it when the kind cannot be listed everywhere). */
const APP_OBJECT_TYPE: Partial<Record<App['kind'], TypeRef>> = {
  'argo-application': appTypeOfKind('Application'),
  'flux-kustomization': appTypeOfKind('Kustomization'),
  'flux-helmrelease': appTypeOfKind('HelmRelease'),
};

/** refKey of the app's own Application / Kustomization object. */
export function appObjectKey(app: App): string | undefined {
  if (!app.namespace) return undefined;
  const type = APP_OBJECT_TYPE[app.kind];
  if (!type) return undefined;
  return `${type.group}/${type.kind}/${app.namespace}/${app.name}`;
}

/** True for the kinds whose objects are apps (their events update app state). */
export function isAppObject(obj: KubeObject, group: string): boolean {
  return APP_TYPES.some((t) => t.kind === obj.kind && group === t.group);
}

/** The workspace's apps and repositories, discovered once and shared by every caller until invalidated. */
export class AppDiscovery {
  private appsPromise?: Promise<{ apps: App[]; repos: RepoInfo[] }>;
  private appsResolved?: App[];

  constructor(
    private readonly roots: string[],
    private readonly runner: ProcessRunner,
  ) {}

  /** The apps of the last discovery that finished (empty before the first). */
  get resolved(): App[] {
    return this.appsResolved ?? [];
  }

  invalidate(): void {
    this.appsPromise = undefined;
  }

  // Cached work is shared by every caller, so it never runs under one caller's AbortSignal (a cancelled refresh
  // must not fail the next one); callers stop waiting when their own signal aborts.
  async discover(signal?: AbortSignal): Promise<{ apps: App[]; repos: RepoInfo[] }> {
    this.appsPromise ??= (async () => {
      const repos: RepoInfo[] = [];
      for (const r of this.roots) {
        const info = await readRepoInfo(r, { runner: this.runner });
        if (info) repos.push(info);
      }
      const apps = await discoverApps(this.roots, { runner: this.runner, repos });
      this.appsResolved = apps;
      return { apps, repos };
    })();
    this.appsPromise.catch(() => (this.appsPromise = undefined));
    const result = await this.appsPromise;
    throwIfAborted(signal);
    return result;
  }
}

/**
 * The Argo CD / Flux objects of the cluster. A kind the user may not list in all namespaces is listed in the
 * namespaces of the workspace's apps of that kind; a workspace app whose own object stays unreadable is reported
 * as such (not as "not in this cluster").
 */
export async function listAppObjects(client: KubeClient, wsApps: App[], signal?: AbortSignal): Promise<{ objects: KubeObject[]; scopes: WatchScope[]; failures: Map<string, GitOpsError> }> {
  const scopes: WatchScope[] = [];
  const failures = new Map<string, GitOpsError>();
  const lists = await Promise.all(
    APP_TYPES.map(async (type): Promise<KubeObject[]> => {
      try {
        const items = (await client.list(type, { signal })).items;
        scopes.push({ ...type });
        return items;
      } catch (e) {
        // A cluster without Argo CD or Flux simply does not serve these kinds.
        if (isGitOpsError(e) && e.reason === 'notFound') return [];
        if (!(isGitOpsError(e) && e.reason === 'forbidden')) throw e;
      }
      const mine = wsApps.filter((a) => a.namespace && APP_OBJECT_TYPE[a.kind] === type);
      const out: KubeObject[] = [];
      for (const ns of new Set(mine.map((a) => a.namespace!))) {
        try {
          out.push(...(await client.list(type, { namespace: ns, signal })).items);
          scopes.push({ ...type, namespace: ns });
        } catch (e) {
          if (isGitOpsError(e) && e.reason === 'notFound') continue;
          if (!(isGitOpsError(e) && e.reason === 'forbidden')) throw e;
          for (const a of mine) if (a.namespace === ns) failures.set(a.id, new GitOpsErrorClass('forbidden', `cannot read ${type.kind} ${ns}/${a.name}: ${e.message}`, e.details));
        }
      }
      return out;
    }),
  );
  return { objects: lists.flat(), scopes, failures };
}
