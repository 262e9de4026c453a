// Which GitOps app owns a live object: Argo CD tracking (annotation or label) and Flux owner labels.
import type { App, KubeObject, ObjectRef } from '../model';
import { groupOf } from '../model';

export const ARGO_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
export const ARGO_INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const FLUX_KS_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
export const FLUX_KS_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';
export const FLUX_HR_NAME_LABEL = 'helm.toolkit.fluxcd.io/name';
export const FLUX_HR_NAMESPACE_LABEL = 'helm.toolkit.fluxcd.io/namespace';
export const DEFAULT_ARGO_NAMESPACE = 'argocd';

export interface TrackingId {
  app: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Parses `<app>:<group>/<kind>:<namespace>/<name>` (Argo `ParseAppInstanceValue`); undefined when malformed. */
export function parseTrackingId(value: string): TrackingId | undefined {
  const parts = value.split(':');
  if (parts.length !== 3) return undefined;
  const gk = parts[1].split('/');
  const nn = parts[2].split('/');
  if (gk.length !== 2 || nn.length !== 2) return undefined;
  return { app: parts[0], group: gk[0], kind: gk[1], namespace: nn[0], name: nn[1] };
}

export function formatTrackingId(t: TrackingId): string {
  return `${t.app}:${t.group}/${t.kind}:${t.namespace}/${t.name}`;
}

/** Argo's `InstanceName`: the plain name inside the control-plane namespace, else `<ns>_<name>`. */
export function argoInstanceName(appName: string, appNamespace: string | undefined, controllerNamespace = DEFAULT_ARGO_NAMESPACE): string {
  return !appNamespace || appNamespace === controllerNamespace ? appName : `${appNamespace}_${appName}`;
}

/**
 * The Argo instance that tracks `obj`, if any. An annotation naming another object is a copy and does not track;
 * the instance label counts only when there is no annotation (with `annotation+label` it is informational).
 * `clusterScoped` tells that the tracking id carries the app's destination namespace, not the object's.
 */
export function argoTrackingApp(obj: KubeObject, clusterScoped = false): string | undefined {
  const ann = obj.metadata.annotations?.[ARGO_TRACKING_ANNOTATION];
  if (ann) {
    const t = parseTrackingId(ann);
    if (!t) return undefined;
    const sameObject = t.group === groupOf(obj.apiVersion) && t.kind === obj.kind && t.name === obj.metadata.name && (clusterScoped || t.namespace === (obj.metadata.namespace ?? ''));
    return sameObject ? t.app : undefined;
  }
  return obj.metadata.labels?.[ARGO_INSTANCE_LABEL];
}

/** `namespace/name` of the Flux Kustomization or HelmRelease that applied `obj`. */
export function fluxOwner(obj: KubeObject): { kind: 'Kustomization' | 'HelmRelease'; namespace: string; name: string } | undefined {
  const l = obj.metadata.labels ?? {};
  if (l[FLUX_KS_NAME_LABEL]) return { kind: 'Kustomization', name: l[FLUX_KS_NAME_LABEL], namespace: l[FLUX_KS_NAMESPACE_LABEL] ?? '' };
  if (l[FLUX_HR_NAME_LABEL]) return { kind: 'HelmRelease', name: l[FLUX_HR_NAME_LABEL], namespace: l[FLUX_HR_NAMESPACE_LABEL] ?? '' };
  return undefined;
}

/** Does `app` track `obj`? */
export function isTrackedBy(app: App, obj: KubeObject, clusterScoped: boolean, controllerNamespace = DEFAULT_ARGO_NAMESPACE): boolean {
  if (app.kind === 'argo-application') return argoTrackingApp(obj, clusterScoped) === argoInstanceName(app.name, app.namespace, controllerNamespace);
  if (app.kind === 'flux-kustomization') {
    const o = fluxOwner(obj);
    return !!o && o.kind === 'Kustomization' && o.name === app.name && o.namespace === (app.namespace ?? '');
  }
  if (app.kind === 'flux-helmrelease') {
    const o = fluxOwner(obj);
    return !!o && o.kind === 'HelmRelease' && o.name === app.name && o.namespace === (app.namespace ?? '');
  }
  return false;
}

/** Server-side label selector that narrows a LIST to one app's objects, when the tracking method allows it. */
export function fluxLabelSelector(app: App): string | undefined {
  if (app.kind === 'flux-helmrelease') return `${FLUX_HR_NAME_LABEL}=${app.name},${FLUX_HR_NAMESPACE_LABEL}=${app.namespace ?? ''}`;
  if (app.kind !== 'flux-kustomization') return undefined;
  return `${FLUX_KS_NAME_LABEL}=${app.name},${FLUX_KS_NAMESPACE_LABEL}=${app.namespace ?? ''}`;
}

/** Flux inventory id `<namespace>_<name>_<group>_<kind>` → ref (cli-utils parsing rules; `__` → `:` for RBAC). */
export function parseInventoryId(id: string, version?: string): ObjectRef | undefined {
  const first = id.indexOf('_');
  const last = id.lastIndexOf('_');
  if (first < 0 || last <= first) return undefined;
  const kind = id.slice(last + 1);
  const beforeKind = id.slice(0, last);
  const groupSep = beforeKind.lastIndexOf('_');
  if (groupSep < first) return undefined;
  const group = beforeKind.slice(groupSep + 1);
  let name = beforeKind.slice(first + 1, groupSep);
  if (group === 'rbac.authorization.k8s.io') name = name.replace(/__/g, ':');
  return { group, version, kind, namespace: id.slice(0, first), name };
}

/** Objects the cluster-side app says it manages (Argo `status.resources`, Flux `status.inventory`). */
export function managedRefsOf(app: App): ObjectRef[] {
  const status = (app.definition as { status?: Record<string, unknown> } | undefined)?.status;
  if (!status) return [];
  if (app.kind === 'argo-application') {
    const res = (status.resources as Array<{ group?: string; version?: string; kind: string; namespace?: string; name: string }>) ?? [];
    return res.map((r) => ({ group: r.group ?? '', version: r.version, kind: r.kind, namespace: r.namespace ?? '', name: r.name }));
  }
  const entries = ((status.inventory as { entries?: Array<{ id: string; v?: string }> })?.entries ?? []);
  return entries.map((e) => parseInventoryId(e.id, e.v)).filter((r): r is ObjectRef => !!r);
}
