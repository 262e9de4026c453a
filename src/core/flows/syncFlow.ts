// Argo CD sync, one flow for the editor and the CLI: mode (sync, prune, dry run) → sync windows → impact preview →
// production guard (prune) → request the operation → follow it to its end.
import type { ObjectRef } from '../model';
import { syncApplication } from '../control/argo-sync';
import { waitForOperation, type OperationOutcome } from '../control/argo-wait';
import { describeActor } from '../control/identity';
import { checkSyncWindows, confirmProduction, showPreview } from './steps';
import { cancelled, type Cancelled, type FlowDeps, type FlowTarget } from './types';

export type SyncMode = 'sync' | 'prune' | 'dry-run';

export interface SyncFlowInput {
  target: FlowTarget;
  /** Selective sync of these resources. */
  resources?: ObjectRef[];
  /** Follow the operation to its end (default true). */
  wait?: boolean;
  timeoutMs?: number;
}

export interface SyncFlowResult {
  mode: SyncMode;
  /** The operation's end, when waited for. */
  outcome?: OperationOutcome;
  ok: boolean;
  summary: string;
  /** Per-resource lines of the outcome. */
  details: string[];
}

export const SYNC_MODE_LABELS: Record<SyncMode, string> = { sync: 'Sync', prune: 'Sync and Prune', 'dry-run': 'Dry Run' };

export async function syncFlow(deps: FlowDeps, input: SyncFlowInput): Promise<SyncFlowResult | Cancelled> {
  const t = input.target;
  const n = input.resources?.length;
  const pick = await deps.prompter.pickOne<SyncMode>({
    id: 'sync.mode',
    title: `Sync ${t.name}${n ? ` (${n} resource${n > 1 ? 's' : ''})` : ''}`,
    items: [
      { label: SYNC_MODE_LABELS.sync, value: 'sync' },
      { label: SYNC_MODE_LABELS.prune, description: 'also delete live resources no longer in Git', value: 'prune' },
      { label: SYNC_MODE_LABELS['dry-run'], value: 'dry-run' },
    ],
  });
  if (!pick) return cancelled();
  const mode = pick.value;
  if (mode !== 'dry-run') {
    if (!(await checkSyncWindows(deps, t, 'manual', 'Sync'))) return cancelled('stopped at the sync window');
    if (!(await showPreview(deps, t, mode === 'prune' ? 'sync-prune' : 'sync', 'Sync', input.resources))) return cancelled('stopped at the preview');
  }
  if (mode === 'prune' && !(await confirmProduction(deps, t, 'Sync with prune'))) return cancelled('the production confirmation was not given');
  return deps.withProgress(`Syncing ${t.name}`, async (progress, signal) => {
    const actor = await deps.actor(t.client, signal);
    const before = await t.client.get(t.ref, signal);
    const previousStartedAt = (before.status as { operationState?: { startedAt?: string } } | undefined)?.operationState?.startedAt;
    const resources = input.resources?.map((r) => ({ group: r.group, kind: r.kind, namespace: r.namespace, name: r.name }));
    await syncApplication(t.client, t.ref, { username: describeActor(actor), prune: mode === 'prune', dryRun: mode === 'dry-run', resources }, signal, { actor, log: deps.log });
    if (input.wait === false) return { mode, ok: true, summary: `${t.name}: ${mode === 'dry-run' ? 'dry-run ' : ''}sync requested`, details: [] };
    const outcome = await waitForOperation(t.client, t.ref, { signal, previousStartedAt, timeoutMs: input.timeoutMs, onProgress: (phase, message) => progress.report(`${phase}${message ? ` — ${message}` : ''}`) });
    const failed = outcome.failedResources.map((r) => `${r.kind} ${r.name}: ${r.message ?? r.status}`).join('; ');
    const summary = `${t.name}: sync ${outcome.phase}${outcome.message ? ` — ${outcome.message}` : ''}${outcome.succeeded ? (outcome.syncStatus ? ` · ${outcome.syncStatus}` : '') : failed ? ` · ${failed}` : ''}`;
    const details = [
      `revision ${outcome.revision ?? '?'}, sync ${outcome.syncStatus ?? '?'}, health ${outcome.health ?? '?'}`,
      ...outcome.resources.map((r) => `  ${r.kind} ${r.namespace}/${r.name}: ${r.status}${r.message ? ` — ${r.message}` : ''}`),
    ];
    return { mode, outcome, ok: outcome.succeeded, summary, details };
  });
}
