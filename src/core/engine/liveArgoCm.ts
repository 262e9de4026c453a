// Argo CD's `argocd-cm` as the cluster holds it: read (GET) once per full refresh in the namespaces where the
// cluster's Argo CD Applications live (the control plane's, usually `argocd`; with apps in any namespace, the most
// used one first). Not found anywhere → the caller falls back to the workspace's manifest; forbidden or failed →
// an error the cluster's Argo CD apps carry, naming the object, since their ignore rules may be missing.
import type { KubeObject } from '../model';
import { GitOpsError, isGitOpsError } from '../model';
import type { KubeClient } from '../kube/types';

export const ARGO_CM = 'argocd-cm';
/** The controller's parameters (`controller.diff.server.side`, Server-Side Diff for every app). */
export const ARGO_CMD_PARAMS_CM = 'argocd-cmd-params-cm';

export interface LiveArgoCm {
  /** The ConfigMap read, if one exists. */
  object?: KubeObject;
  /** argocd-cmd-params-cm of the same namespace, if readable. */
  params?: KubeObject;
  /** Why it could not be read (none found and at least one namespace refused or failed). */
  error?: GitOpsError;
}

const isArgoApplication = (o: KubeObject) => o.kind === 'Application' && (o.apiVersion ?? '').startsWith('argoproj.io/');

/** Namespaces of the live Applications, the most used first (`argocd` first on a tie). */
export function argoNamespaces(liveApps: Iterable<KubeObject>): string[] {
  const count = new Map<string, number>();
  for (const o of liveApps) if (isArgoApplication(o) && o.metadata?.namespace) count.set(o.metadata.namespace, (count.get(o.metadata.namespace) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || Number(b[0] === 'argocd') - Number(a[0] === 'argocd') || a[0].localeCompare(b[0])).map(([ns]) => ns);
}

/** Reads argocd-cm where the cluster's Applications live; undefined when the cluster has no Argo CD Applications. */
export async function readLiveArgoCm(client: KubeClient, liveApps: Iterable<KubeObject>, signal?: AbortSignal): Promise<LiveArgoCm | undefined> {
  const namespaces = argoNamespaces(liveApps);
  if (!namespaces.length) return undefined;
  const failures: string[] = [];
  let reason: GitOpsError['reason'] | undefined;
  /** The ConfigMap, undefined when not found; a failure is recorded. */
  const get = async (namespace: string, name: string): Promise<KubeObject | undefined> => {
    try {
      return await client.get({ group: '', kind: 'ConfigMap', namespace, name }, signal);
    } catch (e) {
      const reasonOf = isGitOpsError(e) ? e.reason : 'internal';
      if (reasonOf === 'cancelled') throw e;
      if (reasonOf !== 'notFound') {
        reason ??= reasonOf;
        failures.push(`ConfigMap ${namespace}/${name}: ${(e as Error).message}`);
      }
      return undefined;
    }
  };
  for (const namespace of namespaces) {
    const object = await get(namespace, ARGO_CM);
    if (!object) continue;
    failures.length = 0; // found: refusals elsewhere do not matter
    reason = undefined;
    const params = await get(namespace, ARGO_CMD_PARAMS_CM);
    return { object, ...(params ? { params } : {}), ...(failures.length ? { error: new GitOpsError(reason!, `cannot read Argo CD's settings (${failures.join('; ')})`, { resource: 'configmaps' }) } : {}) };
  }
  const params = await get(namespaces[0], ARGO_CMD_PARAMS_CM);
  if (!failures.length) return params ? { params } : {};
  return { error: new GitOpsError(reason!, `cannot read Argo CD's settings (${failures.join('; ')})`, { resource: 'configmaps' }) };
}
