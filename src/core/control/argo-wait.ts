// Follow an Argo CD operation to its end through `status.operationState` (reference §1 "Watching for completion").
import { GitOpsError, type KubeObject, type ObjectRef } from '../model';
import type { Clock } from '../ports';
import { systemClock, throwIfAborted, sleep } from '../ports';
import type { KubeClient } from '../kube/types';
import { FINAL_OPERATION_PHASES } from './constants';

export interface ResourceResult {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  status: string;
  message?: string;
  hookPhase?: string;
}

export interface OperationOutcome {
  phase: string;
  message?: string;
  revision?: string;
  startedAt?: string;
  finishedAt?: string;
  resources: ResourceResult[];
  /** Failed or SyncFailed resources, for the "per-resource messages on failure" display. */
  failedResources: ResourceResult[];
  syncStatus?: string;
  health?: string;
  succeeded: boolean;
  app: KubeObject;
}

interface OperationState {
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  operation?: { sync?: { dryRun?: boolean } };
  syncResult?: { revision?: string; resources?: Array<Record<string, string>> };
}

const stateOf = (app: KubeObject): OperationState | undefined => (app.status as { operationState?: OperationState } | undefined)?.operationState;

/**
 * Is the operation over, as `argocd app wait` decides: no `.operation`, a final phase with `finishedAt`, and (unless
 * a dry run) a refresh after it. `previousStartedAt` (the operation shown before ours was requested) is ignored,
 * compared by equality so clock skew between editor and cluster does not matter.
 */
export function operationDone(app: KubeObject, previousStartedAt?: string): boolean {
  const st = stateOf(app);
  if (app.operation || !st?.phase || !st.finishedAt) return false;
  if (previousStartedAt && st.startedAt === previousStartedAt) return false;
  if (!(FINAL_OPERATION_PHASES as readonly string[]).includes(st.phase)) return false;
  const reconciledAt = (app.status as { reconciledAt?: string } | undefined)?.reconciledAt;
  if (!st.operation?.sync?.dryRun && reconciledAt && reconciledAt < st.finishedAt) return false;
  return true;
}

export function operationOutcome(app: KubeObject): OperationOutcome {
  const st = stateOf(app) ?? {};
  const status = (app.status ?? {}) as { sync?: { status?: string }; health?: { status?: string } };
  const resources: ResourceResult[] = (st.syncResult?.resources ?? []).map((r) => ({ group: r.group ?? '', kind: r.kind, namespace: r.namespace ?? '', name: r.name, status: r.status, message: r.message, hookPhase: r.hookPhase }));
  return {
    phase: st.phase ?? 'Unknown',
    message: st.message,
    revision: st.syncResult?.revision,
    startedAt: st.startedAt,
    finishedAt: st.finishedAt,
    resources,
    failedResources: resources.filter((r) => r.status === 'SyncFailed' || r.hookPhase === 'Failed' || r.hookPhase === 'Error'),
    syncStatus: status.sync?.status,
    health: status.health?.status,
    succeeded: st.phase === 'Succeeded',
    app,
  };
}

export interface WaitOptions {
  signal?: AbortSignal;
  pollMs?: number;
  timeoutMs?: number;
  /** `status.operationState.startedAt` before the sync was requested: that older operation does not count. */
  previousStartedAt?: string;
  onProgress?(phase: string, message?: string): void;
  clock?: Clock;
}


/** Polls the app until the operation is over; resolves with its outcome (also when it failed), throws on timeout. */
export async function waitForOperation(client: KubeClient, ref: ObjectRef, opts: WaitOptions = {}): Promise<OperationOutcome> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now().getTime() + (opts.timeoutMs ?? 5 * 60_000);
  let lastPhase = '';
  for (;;) {
    throwIfAborted(opts.signal);
    const app = await client.get(ref, opts.signal);
    if (operationDone(app, opts.previousStartedAt)) return operationOutcome(app);
    const st = stateOf(app);
    const phase = app.operation && (!st || (opts.previousStartedAt && st.startedAt === opts.previousStartedAt)) ? 'Pending' : (st?.phase ?? 'Pending');
    if (phase !== lastPhase) {
      lastPhase = phase;
      opts.onProgress?.(phase, st?.message);
    }
    if (clock.now().getTime() > deadline) throw new GitOpsError('timeout', `The operation on ${ref.namespace}/${ref.name} did not finish in time (last phase: ${phase})`);
    await sleep(opts.pollMs ?? 1000, opts.signal);
  }
}
