// Who is acting, as the cluster knows them (issue 17.11): the user the API server authenticated, from a
// SelfSubjectReview (what `kubectl auth whoami` sends), with the git identity as secondary information.
// Audit records and events name the cluster user; when the review is not served (older servers, emulators,
// RBAC), the actor is recorded as unknown with the reason, and the action goes ahead.
import { isGitOpsError } from '../model';
import type { KubeClient } from '../kube/types';

export const UNKNOWN_CLUSTER_USER = 'unknown (SelfSubjectReview not available)';

export interface Actor {
  /** The cluster user name (SelfSubjectReview status.userInfo.username), or UNKNOWN_CLUSTER_USER. */
  user: string;
  /** `git config user.email` (else the OS user): secondary, not authenticated by the cluster. */
  gitUser?: string;
  /** Cluster groups of the user, when known. */
  groups?: string[];
}

const SELF_SUBJECT_REVIEW = { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' };

/** The authenticated cluster user, or undefined (with why) when the API cannot tell. Never throws, except on abort. */
export async function clusterUser(client: KubeClient, signal?: AbortSignal): Promise<{ username?: string; groups?: string[]; why?: string }> {
  if (!client.create) return { why: 'the client cannot create objects' };
  try {
    const review = (await client.create(SELF_SUBJECT_REVIEW, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { signal })) as unknown as {
      status?: { userInfo?: { username?: string; groups?: string[] } };
    };
    const info = review.status?.userInfo;
    if (!info?.username) return { why: 'the review named no user' };
    return { username: info.username, groups: info.groups };
  } catch (e) {
    if (signal?.aborted) throw e;
    return { why: isGitOpsError(e) ? `${e.reason}: ${e.message}` : String(e) };
  }
}

/** The actor for audit records: the cluster user when the server tells, else UNKNOWN_CLUSTER_USER; git identity kept aside. */
export async function resolveActor(client: KubeClient, opts: { gitUser?: string; signal?: AbortSignal; log?(message: string): void } = {}): Promise<Actor> {
  const c = await clusterUser(client, opts.signal);
  const gitUser = opts.gitUser?.trim() || undefined;
  if (!c.username) {
    opts.log?.(`cluster identity unknown on ${client.contextName} (${c.why}); recording "${UNKNOWN_CLUSTER_USER}"${gitUser ? ` with git identity ${gitUser}` : ''}`);
    return { user: UNKNOWN_CLUSTER_USER, ...(gitUser ? { gitUser } : {}) };
  }
  return { user: c.username, ...(gitUser ? { gitUser } : {}), ...(c.groups?.length ? { groups: c.groups } : {}) };
}

/** e.g. `admin (git: alice@example.com)`. */
export function describeActor(actor: Actor): string {
  return actor.gitUser && actor.gitUser !== actor.user ? `${actor.user} (git: ${actor.gitUser})` : actor.user;
}
