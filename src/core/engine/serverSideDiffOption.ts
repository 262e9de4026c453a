// Argo CD's Server-Side Diff, opted into per resource, per Application or for the whole instance: the resource's
// `argocd.argoproj.io/compare-options: ServerSideDiff=true|false` annotation (Git's, else live's) wins, then the
// Application's, then the instance default (`controller.diff.server.side: "true"`, which Argo CD reads from
// argocd-cmd-params-cm; argocd-cm is read for it as well). Such resources get the server's dry-run answer even when
// the engine runs offline.
import type { App, KubeObject } from '../model';
import { isObject } from '../k8s/json';
import { compareOptionsOf } from '../diff/ignoreSources';

export const SERVER_SIDE_DIFF_KEY = 'controller.diff.server.side';

/** The instance default of the ConfigMaps holding it (the first that sets the key). */
export function serverSideDiffDefault(...configMaps: (KubeObject | undefined)[]): boolean {
  for (const cm of configMaps) {
    const v = cm && isObject(cm.data) ? cm.data[SERVER_SIDE_DIFF_KEY] : undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim().toLowerCase() === 'true';
  }
  return false;
}

/** Whether Argo CD would diff this resource server-side (Argo CD apps only). */
export function wantsServerSideDiff(app: App, appObject: KubeObject | undefined, desired: KubeObject, live: KubeObject | undefined, instanceDefault: boolean): boolean {
  if (app.kind !== 'argo-application') return false;
  return compareOptionsOf(desired).serverSideDiff ?? compareOptionsOf(live).serverSideDiff ?? compareOptionsOf(appObject).serverSideDiff ?? instanceDefault;
}
