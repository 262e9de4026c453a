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

const HELM_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
const HELM_RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

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
  // Helm's ownership metadata: Helm sets it on every object it installs or upgrades, over the chart's (neither the
  // chart nor the stored release manifest has it), and helm-controller applies it as its own field manager. Taken
  // when live has it with this release's values, like the tracking metadata above.
  const helmLabels: Record<string, string> = {};
  const helmAnnotations: Record<string, string> = {};
  if (app.kind === 'flux-helmrelease' && app.helmRelease) {
    if (ll[HELM_MANAGED_BY_LABEL] === 'Helm') helmLabels[HELM_MANAGED_BY_LABEL] = 'Helm';
    if (la[HELM_RELEASE_NAME_ANNOTATION] === app.helmRelease.releaseName) helmAnnotations[HELM_RELEASE_NAME_ANNOTATION] = app.helmRelease.releaseName;
    if (la[HELM_RELEASE_NAMESPACE_ANNOTATION] === app.helmRelease.releaseNamespace) helmAnnotations[HELM_RELEASE_NAMESPACE_ANNOTATION] = app.helmRelease.releaseNamespace;
  }
  const anyHelm = Object.keys(helmLabels).length + Object.keys(helmAnnotations).length > 0;
  if (!anyHelm && !Object.keys(annotations).length && !Object.keys(labels).length) return desired;
  const meta = { ...desired.metadata };
  if (Object.keys(annotations).length || Object.keys(helmAnnotations).length) meta.annotations = { ...annotations, ...desired.metadata.annotations, ...helmAnnotations };
  if (Object.keys(labels).length || Object.keys(helmLabels).length) meta.labels = { ...labels, ...desired.metadata.labels, ...helmLabels };
  return { ...desired, metadata: meta };
}
