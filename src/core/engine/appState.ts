// Reads what the tree and status bar show about an app from its live Argo CD Application or Flux object.
import type { KubeObject } from '../model';
import { breakglassState, type BreakglassRecord } from '../control/breakglass';
import { isSkipReconcile } from '../control/argo-pause';
import { PAUSED_AUTOMATED_ANNOTATION } from '../control/constants';

export interface AppState {
  controller: 'argo' | 'flux' | 'none';
  /** Argo `status.sync.status`, or for Flux the Ready condition mapped to Synced/NotReady. */
  sync?: string;
  health?: string;
  revision?: string;
  /** Argo: automated sync configured and enabled. */
  autoSync?: 'on' | 'paused' | 'off';
  selfHeal?: boolean;
  skipReconcile?: boolean;
  suspended?: boolean;
  operation?: { phase: string; message?: string; finishedAt?: string; startedAt?: string };
  reconciledAt?: string;
  ownedByApplicationSet?: string;
  readyMessage?: string;
  /** The audit record of the app's breakglass (see control/breakglass.ts), when it has one. */
  breakglass?: BreakglassRecord & { active: boolean; expired: boolean };
}

/** The breakglass record with whether it is still on and past its expiry. */
function breakglassOf(obj: KubeObject, now: Date): AppState['breakglass'] {
  const s = breakglassState(obj, now);
  return s && { ...s.record, active: s.active, expired: s.expired };
}

function get(obj: unknown, ...path: string[]): any {
  let cur: any = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? cur[p] : undefined;
  return cur;
}

export function appStateOf(obj: KubeObject | undefined, now: Date = new Date()): AppState {
  if (!obj) return { controller: 'none' };
  const group = obj.apiVersion?.split('/')[0];
  const annotations = obj.metadata?.annotations ?? {};
  const breakglass = breakglassOf(obj, now);
  if (group === 'argoproj.io') {
    const automated = get(obj, 'spec', 'syncPolicy', 'automated');
    const autoSync: AppState['autoSync'] = automated
      ? automated.enabled === false
        ? 'paused'
        : 'on'
      : annotations[PAUSED_AUTOMATED_ANNOTATION]
        ? 'paused'
        : 'off';
    const op = get(obj, 'status', 'operationState');
    const owner = (obj.metadata?.ownerReferences as { kind?: string; name?: string }[] | undefined)?.find((o) => o.kind === 'ApplicationSet');
    return {
      controller: 'argo',
      sync: get(obj, 'status', 'sync', 'status'),
      health: get(obj, 'status', 'health', 'status'),
      revision: get(obj, 'status', 'sync', 'revision'),
      autoSync,
      selfHeal: !!automated?.selfHeal,
      skipReconcile: isSkipReconcile(obj),
      operation: op?.phase ? { phase: op.phase, message: op.message, startedAt: op.startedAt, finishedAt: op.finishedAt } : get(obj, 'operation') ? { phase: 'Requested' } : undefined,
      reconciledAt: get(obj, 'status', 'reconciledAt'),
      ownedByApplicationSet: owner?.name,
      breakglass,
    };
  }
  if (group?.endsWith('.toolkit.fluxcd.io')) {
    const ready = (get(obj, 'status', 'conditions') as { type: string; status: string; message?: string }[] | undefined)?.find((c) => c.type === 'Ready');
    return {
      controller: 'flux',
      sync: ready ? (ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown') : 'Unknown',
      revision: get(obj, 'status', 'lastAppliedRevision') ?? get(obj, 'status', 'artifact', 'revision') ?? get(obj, 'status', 'lastAttemptedRevision'),
      suspended: get(obj, 'spec', 'suspend') === true,
      reconciledAt: get(obj, 'status', 'lastHandledReconcileAt'),
      readyMessage: ready?.message,
      breakglass,
    };
  }
  return { controller: 'none', breakglass };
}
