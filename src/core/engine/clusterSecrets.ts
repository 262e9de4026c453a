// The Argo CD cluster Secrets an ApplicationSet clusters generator reads, listed from the cluster (label
// `argocd.argoproj.io/secret-type=cluster`) in each namespace holding such a set, once per full refresh. Only the
// parameter fields are kept (clusterSecretOf): the Secrets' `config` (credentials) is dropped as soon as it is read
// and never logged. A namespace that cannot be listed gives the reason, which the set shows instead of apps.
import { GitOpsError, isGitOpsError } from '../model';
import type { KubeClient } from '../kube/types';
import { clusterSecretOf, SECRET_TYPE_LABEL, type ClusterSecret, type ClusterSecretsOf } from '../discovery/appSetClusters';

export interface ClusterSecretsRead {
  secrets: ClusterSecretsOf;
  /** Namespaces whose Secrets could not be listed (forbidden, failed): the sets there are in error. */
  failures: Map<string, GitOpsError>;
}

export async function readClusterSecrets(client: KubeClient, namespaces: string[], signal?: AbortSignal): Promise<ClusterSecretsRead> {
  const read = new Map<string, ClusterSecret[] | string>();
  const failures = new Map<string, GitOpsError>();
  await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        const list = await client.list({ group: '', version: 'v1', kind: 'Secret' }, { namespace, labelSelector: `${SECRET_TYPE_LABEL}=cluster`, signal });
        read.set(namespace, list.items.map(clusterSecretOf));
      } catch (e) {
        if (isGitOpsError(e) && e.reason === 'cancelled') throw e;
        if (isGitOpsError(e) && e.reason === 'notFound') read.set(namespace, []);
        else {
          const message = `cannot list the Argo CD cluster Secrets in ${namespace} (an ApplicationSet clusters generator reads them): ${(e as Error).message}`;
          read.set(namespace, message);
          failures.set(namespace, new GitOpsError(isGitOpsError(e) ? e.reason : 'internal', message, { resource: 'secrets' }));
        }
      }
    }),
  );
  return { secrets: (namespace) => read.get(namespace) ?? `the cluster Secrets of ${namespace} were not read`, failures };
}
