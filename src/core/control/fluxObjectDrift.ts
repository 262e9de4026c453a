// A stand-in AppDrift for a Flux object that is not an app in the tree (a HelmRelease, a GitRepository…), so the
// editor's control flows (suspend, resume, reconcile, the production guard) can drive it. App kinds only know
// `flux-kustomization` for Flux; the object to control is always taken from the stand-in's definition, so a
// HelmRelease stand-in is never addressed as a Kustomization of the same name (see controlRefOfApp).
import { appStateOf } from '../engine/appState';
import type { AppDrift } from '../engine/driftTypes';
import type { KubeObject } from '../model';

export function fluxObjectDrift(obj: KubeObject, kind: string): AppDrift {
  const name = obj.metadata.name ?? '';
  return {
    app: { id: `flux-${kind.toLowerCase()}:${obj.metadata.namespace ?? ''}/${name}`, name, kind: 'flux-kustomization', namespace: obj.metadata.namespace, sourceType: 'unknown', definition: { ...obj, kind } },
    liveApp: obj,
    state: appStateOf(obj),
    resources: [],
    errors: [],
    skipped: [],
  };
}
