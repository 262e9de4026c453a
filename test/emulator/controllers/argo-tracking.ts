// Argo CD annotation tracking (resource_tracking.go): `<app>:<group>/<kind>:<namespace>/<name>`.
import type { KubeObject } from '../../../src/core/model';

export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

export interface TrackedRef {
  app: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** `Application.InstanceName`: plain name in the control-plane namespace, else `<ns>_<name>`. */
export function instanceName(app: KubeObject, argoNamespace: string): string {
  const ns = app.metadata.namespace ?? argoNamespace;
  return ns === argoNamespace ? (app.metadata.name ?? '') : `${ns}_${app.metadata.name}`;
}

export function trackingId(instance: string, obj: KubeObject, destNamespace: string): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${instance}:${group}/${obj.kind}:${obj.metadata.namespace ?? destNamespace}/${obj.metadata.name}`;
}

export function parseTrackingId(value: string | undefined): TrackedRef | undefined {
  const parts = value?.split(':');
  if (!parts || parts.length !== 3) return undefined;
  const [group, kind] = splitOnce(parts[1]);
  const [namespace, name] = splitOnce(parts[2]);
  if (!kind || !name) return undefined;
  return { app: parts[0], group, kind, namespace, name };
}

function splitOnce(s: string): [string, string] {
  const i = s.indexOf('/');
  return i < 0 ? ['', s] : [s.slice(0, i), s.slice(i + 1)];
}

/** True when obj carries a tracking id of `instance` that names obj itself (a copied annotation does not track). */
export function isTrackedBy(obj: KubeObject, instance: string, destNamespace: string): boolean {
  const t = parseTrackingId(obj.metadata.annotations?.[TRACKING_ANNOTATION]);
  if (!t || t.app !== instance) return false;
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return t.group === group && t.kind === obj.kind && t.name === obj.metadata.name && t.namespace === (obj.metadata.namespace ?? destNamespace);
}
