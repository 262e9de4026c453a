// Argo CD refresh / hard refresh and terminate: no questions, one flow each so both hosts report alike.
import { refreshApplication, terminateOperation, waitForRefresh } from '../control/argo-sync';
import type { FlowDeps, FlowTarget } from './types';

export interface SimpleFlowResult {
  ok: boolean;
  summary: string;
}

export async function refreshFlow(deps: FlowDeps, input: { target: FlowTarget; hard?: boolean; wait?: boolean; timeoutMs?: number }): Promise<SimpleFlowResult> {
  const t = input.target;
  const verb = input.hard ? 'Hard refresh' : 'Refresh';
  return deps.withProgress(`${verb} ${t.name}`, async (_p, signal) => {
    const before = await t.client.get(t.ref, signal);
    await refreshApplication(t.client, t.ref, { hard: input.hard, signal });
    if (input.wait) await waitForRefresh(t.client, t.ref, (before.status as { reconciledAt?: string } | undefined)?.reconciledAt, { signal, timeoutMs: input.timeoutMs });
    return { ok: true, summary: `${input.hard ? 'hard ' : ''}refresh ${input.wait ? 'done' : 'requested'} for ${t.ref.namespace}/${t.ref.name}` };
  });
}

export async function terminateFlow(deps: FlowDeps, input: { target: FlowTarget }): Promise<SimpleFlowResult> {
  const t = input.target;
  return deps.withProgress(`Terminate ${t.name}`, async (_p, signal) => {
    await terminateOperation(t.client, t.ref, signal);
    return { ok: true, summary: `${t.name}: termination of the running operation requested` };
  });
}
