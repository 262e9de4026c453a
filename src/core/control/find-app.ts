// Finding the GitOps object a user names (`<name>` or `<namespace>/<name>`) among Argo Applications and Flux
// Kustomizations / HelmReleases, for the CLI and the command palette.
import { GitOpsError, isGitOpsError, type App, type KubeObject, type ObjectRef } from '../model';
import type { KubeClient } from '../kube/types';
import { argoTrackingApp, DEFAULT_ARGO_NAMESPACE, fluxOwner } from '../kube/tracking';
import { APPLICATION } from './constants';
import { FLUX_KINDS, fluxRef } from './flux';

const KINDS = [
  { group: APPLICATION.group, version: APPLICATION.version, kind: 'Application' },
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization' },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease' },
];

/** All objects that match the name, across the three kinds (empty: none; more than one: ask the user). */
export async function findAppTargets(client: KubeClient, spec: string, signal?: AbortSignal): Promise<ObjectRef[]> {
  const [ns, name] = spec.includes('/') ? spec.split('/', 2) : [undefined, spec];
  if (!name) throw new GitOpsError('invalid', `"${spec}" is not an app name (use <name> or <namespace>/<name>)`);
  const out: ObjectRef[] = [];
  for (const k of KINDS) {
    try {
      const items = (await client.list(k, { namespace: ns, fieldSelector: `metadata.name=${name}`, signal })).items;
      for (const o of items) if (o.metadata.name === name) out.push({ ...k, namespace: o.metadata.namespace ?? '', name });
    } catch (e) {
      // A kind whose CRD is not installed simply has no match.
      if (!(isGitOpsError(e) && e.reason === 'notFound')) throw e;
    }
  }
  return out;
}

/** The object to control for an App from the workspace or the cluster. */
export function controlRefOfApp(app: App): ObjectRef {
  if (!app.namespace) throw new GitOpsError('invalid', `App ${app.id} has no namespace, so its ${app.kind} object cannot be addressed`);
  if (app.kind === 'argo-application') return { group: APPLICATION.group, version: APPLICATION.version, kind: 'Application', namespace: app.namespace, name: app.name };
  if (app.kind === 'flux-helmrelease') return fluxRef('HelmRelease', app.namespace, app.name);
  if (app.kind === 'flux-kustomization') {
    // A stand-in for another Flux object (HelmRelease, GitRepository…) carries that object as its definition.
    const kind = app.definition?.kind;
    return fluxRef(kind && FLUX_KINDS[kind] ? kind : 'Kustomization', app.namespace, app.name);
  }
  throw new GitOpsError('unsupported', `${app.id} is a plain folder: there is no controller to drive`);
}

/**
 * The GitOps object that owns a live resource (for "Start Breakglass…" on a resource): the Argo Application of its
 * tracking id / instance label, else the Flux Kustomization or HelmRelease of its owner labels.
 */
export function owningAppOf(obj: KubeObject, argoNamespace = DEFAULT_ARGO_NAMESPACE): ObjectRef | undefined {
  const argo = argoTrackingApp(obj, !obj.metadata.namespace);
  if (argo) {
    const [ns, name] = argo.includes('_') ? argo.split('_', 2) : [argoNamespace, argo];
    return { group: APPLICATION.group, version: APPLICATION.version, kind: 'Application', namespace: ns, name };
  }
  const flux = fluxOwner(obj);
  return flux ? fluxRef(flux.kind, flux.namespace, flux.name) : undefined;
}
