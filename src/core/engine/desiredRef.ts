// The ref of a rendered object in its app: namespaced kinds without a namespace take the app's destination
// namespace; cluster-scoped kinds never do (the live store keys them without one, as the API server stores them).
import type { App, KubeObject, ObjectRef } from '../model';
import { refOf } from '../model';
import { isClusterScoped } from '../render/clusterScoped';

export function desiredRef(obj: KubeObject, app: App): ObjectRef {
  return refOf(obj, isClusterScoped(obj.kind) ? '' : (app.destinationNamespace ?? ''));
}
