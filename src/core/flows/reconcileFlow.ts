// Flux reconcile (optionally with its source), one flow for the editor and the CLI: impact preview → request →
// wait for Ready.
import { reconcileFlux } from '../control/flux';
import { showPreview } from './steps';
import { cancelled, type Cancelled, type FlowDeps, type FlowTarget } from './types';

export interface ReconcileFlowResult {
  ok: boolean;
  ready?: boolean;
  message?: string;
  revision?: string;
  token: string;
  summary: string;
}

export async function reconcileFlow(deps: FlowDeps, input: { target: FlowTarget; withSource?: boolean; wait?: boolean; timeoutMs?: number }): Promise<ReconcileFlowResult | Cancelled> {
  const t = input.target;
  const verb = input.withSource ? 'Reconcile with source' : 'Reconcile';
  if (!(await showPreview(deps, t, 'reconcile', 'Reconcile'))) return cancelled('stopped at the preview');
  const wait = input.wait ?? true;
  return deps.withProgress(`${verb} ${t.name}`, async (progress, signal) => {
    const r = await reconcileFlux(t.client, t.ref, { withSource: input.withSource, wait, timeoutMs: input.timeoutMs, signal, onProgress: (m) => progress.report(m) });
    const state = wait ? (r.ready ? 'Ready' : 'not Ready') : 'reconcile requested';
    return { ok: !wait || r.ready, ready: r.ready, message: r.message, revision: r.revision, token: r.token, summary: `${t.ref.kind} ${t.ref.namespace}/${t.ref.name}: ${state}${r.message ? ` — ${r.message}` : ''}${r.revision ? ` (${r.revision})` : ''}` };
  });
}
