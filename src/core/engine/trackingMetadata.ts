// The controller adds its tracking metadata to what it applies; the desired side must carry the same, or every
// object would look drifted (diff-semantics §3.0). Copied from live when it names this app, so it follows
// whichever tracking method (annotation, label, both) the cluster's Argo CD is configured with.
import type { App, KubeObject } from '../model';
import {
  ARGO_INSTANCE_LABEL,
  ARGO_TRACKING_ANNOTATION,
  FLUX_KS_NAME_LABEL,
  FLUX_HR_NAME_LABEL,
  FLUX_HR_NAMESPACE_LABEL,
  FLUX_KS_NAMESPACE_LABEL,
  argoInstanceName,
  parseTrackingId,
} from '../kube/tracking';

export function withTrackingMetadata(desired: KubeObject, live: KubeObject | undefined, app: App): KubeObject {
  if (!live || app.kind === 'folder') return desired;
  const annotations: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const la = live.metadata.annotations ?? {};
  const ll = live.metadata.labels ?? {};
  if (app.kind === 'argo-application') {
    const instance = argoInstanceName(app.name, app.namespace);
    const id = la[ARGO_TRACKING_ANNOTATION];
    if (id && parseTrackingId(id)?.app === instance) annotations[ARGO_TRACKING_ANNOTATION] = id;
    if (ll[ARGO_INSTANCE_LABEL] === instance.slice(0, 63)) labels[ARGO_INSTANCE_LABEL] = ll[ARGO_INSTANCE_LABEL];
  } else if (app.kind === 'flux-kustomization') {
    if (ll[FLUX_KS_NAME_LABEL] === app.name && ll[FLUX_KS_NAMESPACE_LABEL] === app.namespace) {
      labels[FLUX_KS_NAME_LABEL] = app.name;
      labels[FLUX_KS_NAMESPACE_LABEL] = app.namespace!;
    }
  } else if (app.kind === 'flux-helmrelease') {
    if (ll[FLUX_HR_NAME_LABEL] === app.name && ll[FLUX_HR_NAMESPACE_LABEL] === app.namespace) {
      labels[FLUX_HR_NAME_LABEL] = app.name;
      labels[FLUX_HR_NAMESPACE_LABEL] = app.namespace!;
    }
  }
  if (!Object.keys(annotations).length && !Object.keys(labels).length) return desired;
  const meta = { ...desired.metadata };
  if (Object.keys(annotations).length) meta.annotations = { ...annotations, ...desired.metadata.annotations };
  if (Object.keys(labels).length) meta.labels = { ...labels, ...desired.metadata.labels };
  return { ...desired, metadata: meta };
}
