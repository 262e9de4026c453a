// The desired state of a Flux HelmRelease whose chart is not in the workspace (a HelmRepository / OCI chart, or a
// Git source this workspace does not hold): the manifest of the release helm-controller installed, as Helm
// stored it in the cluster (what helm-controller's own drift detection compares with live). Read per cluster,
// with one LIST of the release's Secrets; a forbidden or failed read, or no deployed release, is an error on the
// app, never an empty "in sync".
import { GitOpsError, isGitOpsError, type App } from '../model';
import type { KubeClient } from '../kube/types';
import { currentHelmRelease } from '../render/helmReleaseSecret';
import type { RenderResult } from '../render/types';

export function rendersFromStoredRelease(app: App): boolean {
  return app.kind === 'flux-helmrelease' && !!app.helmRelease && !app.helmRelease.local;
}

export async function storedReleaseRender(app: App, client: KubeClient, signal?: AbortSignal): Promise<RenderResult> {
  const info = app.helmRelease!;
  const where = `${info.storageNamespace}/${info.releaseName}`;
  const fail = (e: GitOpsError): RenderResult => ({ objects: [], skipped: [], errors: [e] });
  let secrets;
  try {
    secrets = (await client.list({ group: '', kind: 'Secret' }, { namespace: info.storageNamespace, labelSelector: `owner=helm,name=${info.releaseName}`, signal })).items;
  } catch (e) {
    if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
    const reason = isGitOpsError(e) ? e.reason : 'internal';
    return fail(new GitOpsError(reason, `${app.name}: chart from ${info.chartSource} is not in the workspace and Helm's release Secrets in ${info.storageNamespace} cannot be read (${(e as Error).message}); nothing to compare with`));
  }
  let record;
  try {
    record = currentHelmRelease(secrets, info.releaseName, info.storageNamespace);
  } catch (e) {
    return fail(isGitOpsError(e) ? e : new GitOpsError('parse', `${app.name}: Helm release ${where} cannot be decoded`));
  }
  if (!record) return fail(new GitOpsError('notFound', `${app.name}: chart from ${info.chartSource} is not in the workspace and no deployed Helm release ${where} was found in the cluster; nothing to compare with`));
  return { objects: record.objects.map((object) => ({ object })), skipped: [], errors: [] };
}
