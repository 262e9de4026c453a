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

/** Capabilities for one app's render, and what the app should say about where they come from. */
export interface DestinationCapabilities {
  capabilities?: HelmCapabilities;
  /** Shown on the app: the capabilities are not its destination's (e.g. no kubeconfig context for it). */
  note?: string;
}

/**
 * The kubeconfig context of an Argo CD app's destination, as the live store reads its objects: the listing cluster
 * for the in-cluster (no destination, `https://kubernetes.default.svc`, `in-cluster`), else the context the
 * kubeconfig has for the destination; `unknown` names a destination no context points at.
 */
export function destinationContext(app: App, context: string, contextForDestination?: (d: { server?: string; name?: string }) => string | undefined): { context: string } | { unknown: string } {
  const dest = asObj(asObj(app.definition?.spec).destination) as { server?: string; name?: string };
  if ((!dest.server && !dest.name) || dest.server === 'https://kubernetes.default.svc' || dest.name === 'in-cluster') return { context };
  const target = contextForDestination?.(dest);
  return target ? { context: target } : { unknown: String(dest.name ?? dest.server) };
}

/**
 * A client whose GET /version is made once (the first caller's request answers every later one): the engine
 * hands it to everything that asks within one refresh (the OpenAPI schemas and helm's capabilities).
 */
export function withVersionOnce(client: KubeClient): KubeClient {
  if (!client.getPath) return client;
  let version: Promise<unknown> | undefined;
  const wrapped = Object.create(client) as KubeClient;
  wrapped.getPath = (p, signal) => {
    if (p !== '/version') return client.getPath!(p, signal);
    version ??= client.getPath!(p, signal);
    version.catch(() => (version = undefined));
    return version;
  };
  return wrapped;
}
