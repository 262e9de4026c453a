// Reads a ConfigMap or Secret from a cluster for a render (Flux substituteFrom, HelmRelease valuesFrom) when the
// workspace does not hold it: absent is undefined (`optional` decides), any other failure (forbidden, timeout)
// is thrown, so the app shows an error rather than a render built without the values.
import { isGitOpsError } from '../model';
import type { KubeClient } from '../kube/types';
import type { ObjectLookup } from '../render/fluxVariables';

export function clusterObjectLookup(client: KubeClient): ObjectLookup {
  return async (kind, namespace, name, signal) => {
    try {
      return await client.get({ group: '', version: 'v1', kind, namespace, name }, signal);
    } catch (e) {
      if (isGitOpsError(e) && e.reason === 'notFound') return undefined;
      throw e;
    }
  };
}
