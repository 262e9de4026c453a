// Pausing what drives the cluster, one flow for the editor and the CLI: Argo CD auto-sync, skip-reconcile, Flux
// suspend. Skip-reconcile warning → pause warnings (ApplicationSet, parents; pause the parent too) → production guard
// → pause the chosen parents, then the app (audited).
import type { ObjectRef } from '../model';
import { pauseAutoSync, setSkipReconcile, SKIP_RECONCILE_WARNING } from '../control/argo-pause';
import { suspendFlux } from '../control/flux';
import { pauseWarnings, type PauseWarning } from '../control/warnings';
import { confirmProduction, handlePauseWarnings, pauseParents } from './steps';
import { cancelled, type Cancelled, type FlowDeps, type FlowTarget } from './types';

export type PauseKind = 'auto-sync' | 'skip-reconcile' | 'flux-suspend';

export const PAUSE_VERBS: Record<PauseKind, string> = { 'auto-sync': 'Pause auto-sync', 'skip-reconcile': 'Skip reconcile', 'flux-suspend': 'Suspend' };

export interface PauseFlowResult {
  ok: true;
  changed: boolean;
  warnings: PauseWarning[];
  parents: ObjectRef[];
  summary: string;
  /** Argo auto-sync: how it was paused and what a resume restores. */
  method?: string;
  previous?: Record<string, unknown>;
}

export async function pauseFlow(deps: FlowDeps, input: { target: FlowTarget; kind: PauseKind }): Promise<PauseFlowResult | (Cancelled & { warnings: PauseWarning[] })> {
  const t = input.target;
  const verb = PAUSE_VERBS[input.kind];
  if (input.kind === 'skip-reconcile') {
    const ok = await deps.prompter.confirm({ id: 'skipReconcile.warning', severity: 'warning', message: `Skip reconcile on ${t.name}?`, detail: SKIP_RECONCILE_WARNING, actions: ['Skip Reconcile'], yesAction: 'Skip Reconcile' });
    if (ok !== 'Skip Reconcile') return { ...cancelled(), warnings: [] };
  }
  const live = await t.client.get(t.ref);
  const warnings = await pauseWarnings(t.client, live, { action: input.kind === 'flux-suspend' ? undefined : input.kind });
  const parents = await handlePauseWarnings(deps, t, warnings);
  if (!parents) return { ...cancelled('stopped at the warnings'), warnings };
  if (!(await confirmProduction(deps, { ...t, appObject: t.appObject ?? live }, verb))) return { ...cancelled('the production confirmation was not given'), warnings };
  return deps.withProgress(`${verb} ${t.name}`, async (_p, signal) => {
    await pauseParents(deps, t, parents, signal);
    const where = `${t.ref.namespace}/${t.ref.name}`;
    if (input.kind === 'skip-reconcile') {
      await setSkipReconcile(t.client, t.ref, true, signal);
      return { ok: true as const, changed: true, warnings, parents, summary: `skip-reconcile on for ${where}: Argo CD processes nothing of it until it is turned off` };
    }
    const actor = await deps.actor(t.client, signal);
    if (input.kind === 'auto-sync') {
      const r = await pauseAutoSync(t.client, t.ref, { signal, actor, log: deps.log });
      const summary = r.changed ? `auto-sync paused on ${where} (${r.method}); resume restores ${JSON.stringify(r.previous)}` : `auto-sync was already off on ${where}`;
      return { ok: true as const, changed: r.changed, warnings, parents, summary, method: r.method, previous: r.previous };
    }
    const r = await suspendFlux(t.client, t.ref, signal, { actor, log: deps.log });
    return { ok: true as const, changed: r.changed, warnings, parents, summary: r.changed ? `${t.ref.kind} ${where} suspended` : `${t.ref.kind} ${where} was already suspended` };
  });
}
