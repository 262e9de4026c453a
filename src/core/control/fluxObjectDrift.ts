// A stand-in AppDrift for a Flux object that is not an app in the tree (a HelmRelease, a GitRepository…), so the
// editor's control flows (suspend, resume, reconcile, the production guard) can drive it. A HelmRelease is a
// `flux-helmrelease` app; other Flux objects (sources) are `flux-kustomization` stand-ins whose object to control
// is taken from their definition, so one is never addressed as a Kustomization of the same name (controlRefOfApp).
import { appStateOf } from '../engine/appState';
import type { AppDrift } from '../engine/driftTypes';
import type { KubeObject } from '../model';

export function fluxObjectDrift(obj: KubeObject, kind: string): AppDrift {
  const name = obj.metadata.name ?? '';
  return {
    app: { id: `flux-${kind.toLowerCase()}:${obj.metadata.namespace ?? ''}/${name}`, name, kind: kind === 'HelmRelease' ? 'flux-helmrelease' : 'flux-kustomization', namespace: obj.metadata.namespace, sourceType: 'unknown', definition: { ...obj, kind } },
    liveApp: obj,
    state: appStateOf(obj),
    resources: [],
    errors: [],
    skipped: [],
  };
}
