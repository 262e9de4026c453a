// Argo CD sync through the Kubernetes API: write `.operation` as `argocd app sync` does (reference §1).
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { KubeClient } from '../kube/types';
import { withConflictRetry } from './conflict-retry';
import { APPLICATION, CONTROL_FIELD_MANAGER } from './constants';
import { emitControlEvent, type AuditOptions } from './events';

export interface SyncResourceRef {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface SyncRequest {
  /** Who asks (git user email or OS user); recorded in `initiatedBy.username`. */
  username: string;
  prune?: boolean;
  dryRun?: boolean;
  /** Empty: the controller uses `spec.source.targetRevision`. */
  revision?: string;
  /** Selective sync of these resources only. */
  resources?: SyncResourceRef[];
  /** Overrides the app's `spec.syncPolicy.syncOptions` when given. */
  syncOptions?: string[];
  strategy?: 'hook' | 'apply';
  force?: boolean;
  info?: Array<{ name: string; value: string }>;
}

/** `ref` of an Argo Application by namespace/name. */
export function applicationRef(namespace: string, name: string): ObjectRef {
  return { group: APPLICATION.group, version: APPLICATION.version, kind: APPLICATION.kind, namespace, name };
}

/** The `operation` object for a sync of `app` (pure). Sync options default to a copy of the app's own. */
export function buildSyncOperation(app: KubeObject, req: SyncRequest): Record<string, unknown> {
  const spec = (app.spec ?? {}) as { syncPolicy?: { syncOptions?: string[]; retry?: unknown } };
  const syncOptions = req.syncOptions ?? spec.syncPolicy?.syncOptions;
  const strategyKind = req.strategy ?? 'hook';
  const sync: Record<string, unknown> = {
    revision: req.revision ?? '',
    prune: !!req.prune,
    syncStrategy: { [strategyKind]: req.force ? { force: true } : {} },
  };
  if (req.dryRun) sync.dryRun = true;
  if (syncOptions?.length) sync.syncOptions = [...syncOptions];
  if (req.resources?.length) sync.resources = req.resources.map((r) => ({ group: r.group, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name }));
  const operation: Record<string, unknown> = {
    initiatedBy: { username: req.username },
    info: req.info ?? [{ name: 'Reason', value: 'gitops-drift' }],
    sync,
  };
  if (spec.syncPolicy?.retry) operation.retry = spec.syncPolicy.retry;
  return operation;
}

/** Refuses, like Argo's SetAppOperation, when an operation is already pending or running. */
export function assertNoOperation(app: KubeObject): void {
  if (app.operation) {
    const phase = (app.status as { operationState?: { phase?: string } } | undefined)?.operationState?.phase;
    throw new GitOpsError('conflict', `Another operation is already in progress on ${app.metadata.namespace}/${app.metadata.name}${phase ? ` (${phase})` : ''}; wait for it or terminate it`);
  }
}

/** Starts a sync: GET, refuse if busy, merge-patch `.operation` with the resourceVersion read. Returns the updated app. */
export async function syncApplication(client: KubeClient, ref: ObjectRef, req: SyncRequest, signal?: AbortSignal, audit?: AuditOptions): Promise<KubeObject> {
  const updated = await withConflictRetry(
    `sync ${ref.namespace}/${ref.name}`,
    async () => {
      const app = await client.get(ref, signal);
      assertNoOperation(app);
      // Clearing operationState as Argo's SetAppOperation does means an old result is never mistaken for ours.
      return client.patch(ref, { operation: buildSyncOperation(app, req), status: { operationState: null } }, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, resourceVersion: app.metadata.resourceVersion as string, signal });
    },
    { signal },
  );
  const what = `${req.dryRun ? 'dry-run ' : ''}sync requested${req.prune ? ' with prune' : ''}${req.resources?.length ? ` of ${req.resources.length} resource(s)` : ''}`;
  await emitControlEvent(client, updated, 'SyncRequested', what, audit, signal);
  return updated;
}

/** Asks the controller to stop the running operation (reference §1 "Terminate"). */
export async function terminateOperation(client: KubeClient, ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject> {
  return withConflictRetry(
    `terminate ${ref.namespace}/${ref.name}`,
    async () => {
      const app = await client.get(ref, signal);
      const state = (app.status as { operationState?: { phase?: string } } | undefined)?.operationState;
      if (!app.operation || !state) throw new GitOpsError('invalid', `No operation is running on ${ref.namespace}/${ref.name}`);
      return client.patch(ref, { status: { operationState: { phase: 'Terminating' } } }, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, resourceVersion: app.metadata.resourceVersion as string, signal });
    },
    { signal },
  );
}

/** Normal or hard refresh: the annotation the controller removes once it has reconciled (reference §2). */
export async function refreshApplication(client: KubeClient, ref: ObjectRef, opts: { hard?: boolean; signal?: AbortSignal } = {}): Promise<KubeObject> {
  return client.patch(ref, { metadata: { annotations: { 'argocd.argoproj.io/refresh': opts.hard ? 'hard' : 'normal' } } }, { type: 'merge', fieldManager: CONTROL_FIELD_MANAGER, signal: opts.signal });
}

/**
 * Waits until the controller has handled a refresh: the annotation is gone and `status.reconciledAt` moved
 * past the value seen before the request (compared by inequality: no clock-skew assumptions).
 */
export async function waitForRefresh(client: KubeClient, ref: ObjectRef, previousReconciledAt: string | undefined, opts: { signal?: AbortSignal; pollMs?: number; timeoutMs?: number } = {}): Promise<KubeObject> {
  const deadline = Date.now() + (opts.timeoutMs ?? 2 * 60_000);
  for (;;) {
    const app = await client.get(ref, opts.signal);
    const reconciledAt = (app.status as { reconciledAt?: string } | undefined)?.reconciledAt;
    if (!app.metadata.annotations?.['argocd.argoproj.io/refresh'] && reconciledAt && reconciledAt !== previousReconciledAt) return app;
    if (Date.now() > deadline) throw new GitOpsError('timeout', `Argo CD did not refresh ${ref.namespace}/${ref.name} in time (is the application controller running?)`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, opts.pollMs ?? 1000);
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    if (opts.signal?.aborted) throw new GitOpsError('cancelled', 'Operation cancelled');
  }
}
