// What Argo CD's repo-server passes to `helm template` when an Application does not set `helm.kubeVersion` /
// `helm.apiVersions`: the destination cluster's version and API groups (`--kube-version`, and `--api-versions` for
// every group/version and group/version/Kind served), so charts that test `.Capabilities` render as Argo CD renders
// them (a ServiceMonitor only where the monitoring CRDs exist, an Ingress apiVersion by kube version).
import type { App } from '../model';
import type { KubeClient } from '../kube/types';
import type { HelmCapabilities } from '../render/types';
import { asObj } from '../k8s/json';

/** Whether the app's render takes the destination's capabilities: an Argo CD helm source that does not set them. */
export function needsCapabilities(app: App): boolean {
  if (app.kind !== 'argo-application') return false;
  if (app.sources?.length) return app.sources.some(needsCapabilities);
  if (app.sourceType !== 'helm') return false;
  const spec = asObj(app.definition?.spec);
  const helm = asObj(asObj(spec.source).helm);
  return !(typeof helm.kubeVersion === 'string' && helm.kubeVersion !== '') || !(Array.isArray(helm.apiVersions) && helm.apiVersions.length > 0);
}

/** The cluster's version and API versions as Argo CD lists them (`group/version` and `group/version/Kind`). */
export async function clusterCapabilities(client: KubeClient, signal?: AbortSignal): Promise<HelmCapabilities> {
  const [version, types] = await Promise.all([client.getPath ? client.getPath('/version', signal) : Promise.resolve(undefined), client.discover(signal)]);
  const gitVersion = asObj(version).gitVersion;
  const apiVersions = new Set<string>();
  for (const t of types) {
    const gv = t.group ? `${t.group}/${t.version}` : t.version;
    apiVersions.add(gv);
    apiVersions.add(`${gv}/${t.kind}`);
  }
  return { kubeVersion: typeof gitVersion === 'string' && gitVersion ? gitVersion : undefined, apiVersions: [...apiVersions].sort() };
}
