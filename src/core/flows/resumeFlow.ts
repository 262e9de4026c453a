// Handing the cluster back to the controller, one flow for the editor and the CLI: Argo CD auto-sync (restoring the
// remembered settings), skip-reconcile off, Flux resume. Sync windows (auto-sync) → impact preview → production
// guard (resuming applies Git at once, prune included) → resume (audited) and, for Flux, wait for Ready.
import { resumeAutoSync, setSkipReconcile } from '../control/argo-pause';
import { actionNeedsGuard, type ControlAction } from '../control/productionGuard';
import { resumeFlux } from '../control/flux';
import { checkSyncWindows, confirmProduction, showPreview } from './steps';
import { cancelled, type Cancelled, type FlowDeps, type FlowTarget } from './types';

export type ResumeKind = 'auto-sync' | 'skip-reconcile' | 'flux';

export const RESUME_VERBS: Record<ResumeKind, string> = { 'auto-sync': 'Resume auto-sync', 'skip-reconcile': 'Skip reconcile off', flux: 'Resume' };
const GUARD_ACTION: Record<ResumeKind, ControlAction> = { 'auto-sync': 'resume-auto-sync', 'skip-reconcile': 'skip-reconcile-off', flux: 'flux-resume' };

export interface ResumeFlowResult {
  ok: boolean;
  changed: boolean;
  /** Flux: Ready after the resume (when waited for). */
  ready?: boolean;
  message?: string;
  summary: string;
}

export async function resumeFlow(deps: FlowDeps, input: { target: FlowTarget; kind: ResumeKind; wait?: boolean; timeoutMs?: number }): Promise<ResumeFlowResult | Cancelled> {
  const t = input.target;
  const verb = RESUME_VERBS[input.kind];
  if (input.kind === 'auto-sync' && !(await checkSyncWindows(deps, t, 'auto', 'Resume'))) return cancelled('stopped at the sync window');
  if (input.kind !== 'skip-reconcile' && !(await showPreview(deps, t, 'resume', 'Resume'))) return cancelled('stopped at the preview');
  if (actionNeedsGuard(GUARD_ACTION[input.kind]) && !(await confirmProduction(deps, t, verb))) return cancelled('the production confirmation was not given');
  return deps.withProgress(`${verb} ${t.name}`, async (progress, signal) => {
    const where = `${t.ref.namespace}/${t.ref.name}`;
    if (input.kind === 'skip-reconcile') {
      await setSkipReconcile(t.client, t.ref, false, signal);
      return { ok: true, changed: true, summary: `skip-reconcile off for ${where}` };
    }
    const actor = await deps.actor(t.client, signal);
    if (input.kind === 'auto-sync') {
      const r = await resumeAutoSync(t.client, t.ref, { signal, actor, log: deps.log });
      return { ok: true, changed: r.changed, summary: r.changed ? `auto-sync resumed on ${where}` : `auto-sync was not paused on ${where}` };
    }
    const wait = input.wait ?? true;
    if (wait) progress.report(`Waiting for ${t.ref.kind} ${where}`);
    const r = await resumeFlux(t.client, t.ref, { signal, wait, timeoutMs: input.timeoutMs, actor, log: deps.log });
    const ok = !wait || r.ready;
    return { ok, changed: r.changed, ready: r.ready, message: r.message, summary: `${t.ref.kind} ${where} resumed${wait ? `: ${r.ready ? 'Ready' : 'not Ready'}${r.message ? ` — ${r.message}` : ''}` : ''}` };
  });
}
