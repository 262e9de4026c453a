// Steps the control flows share: the production guard, sync windows, the impact preview, pause warnings and
// pausing parents. Each asks through the Prompter and answers whether to go on.
import type { ObjectRef } from '../model';
import { describeProduction, productionGuard } from '../control/productionGuard';
import { syncWindowVerdict } from '../control/syncWindows';
import type { PauseWarning } from '../control/warnings';
import { pauseAutoSync } from '../control/argo-pause';
import { suspendFlux } from '../control/flux';
import type { FlowDeps, FlowTarget, PreviewAction } from './types';

/**
 * Production contexts (the app's or its destination cluster's): the app name must be typed. Answers true to go on.
 * Prompt `guard.production`; a wrong name is told and stops the flow.
 */
export async function confirmProduction(deps: FlowDeps, t: FlowTarget, action: string): Promise<boolean> {
  const decision = productionGuard({ context: t.context, destinationContext: t.destinationContext, appObject: t.appObject }, deps.productionPattern);
  if (!decision.confirm) return true;
  const typed = await deps.prompter.typedConfirmation({ id: 'guard.production', title: `${action} on ${describeProduction(decision)}`, prompt: `Type the app name "${t.name}" to confirm`, expected: t.name });
  if (typed === t.name) return true;
  if (typed !== undefined) deps.prompter.notify('warning', `${action} cancelled: the confirmation did not match ${t.name}.`);
  return false;
}

/**
 * Argo CD sync windows of the app's AppProject: explains an active deny window (or being outside every allow window)
 * and a manual-sync allowance before acting. `manual`: a sync this tool requests; `auto`: auto-sync after a resume.
 * Prompt `syncWindow`. Answers true to go on.
 */
export async function checkSyncWindows(deps: FlowDeps, t: FlowTarget, kind: 'manual' | 'auto', verb: string, signal?: AbortSignal): Promise<boolean> {
  if (t.ref.kind !== 'Application') return true;
  const app = await t.client.get(t.ref, signal);
  const v = await syncWindowVerdict(t.client, app, deps.now?.() ?? new Date(), signal);
  if (v.note) deps.log(`${t.name}: ${v.note}`);
  if (!v.explanation.length) return true;
  const allowed = kind === 'manual' ? v.manualAllowed : v.autoAllowed;
  const consequence =
    kind === 'manual'
      ? allowed
        ? 'The sync runs as a manual sync.'
        : 'Argo CD does not run the sync while the window denies it.'
      : 'After the resume, auto-sync waits until a window allows it.';
  const go = allowed ? verb : `${verb} Anyway`;
  const answer = await deps.prompter.confirm({
    id: 'syncWindow',
    severity: allowed ? 'info' : 'warning',
    message: allowed ? `${verb} ${t.name}: a sync window is active` : `${verb} ${t.name}: a sync window denies ${kind === 'manual' ? 'syncs' : 'automated syncs'} now`,
    detail: [...v.explanation, consequence].join('\n'),
    actions: [go],
    yesAction: go,
  });
  return answer === go;
}

/**
 * The impact preview step (issue 17, forecast): what the action will revert, create or prune, shown before acting.
 * Skipped when the host has no preview provider or it has nothing to say. Prompt `preview.<action>`.
 */
/** The preview's button that captures the human live edits before acting (the action is not run then). */
export const CAPTURE_FIRST = 'Capture These First';

export async function showPreview(deps: FlowDeps, t: FlowTarget, action: PreviewAction, verb: string, resources?: ObjectRef[]): Promise<boolean> {
  const provider = deps.preview;
  if (!provider) return true;
  const preview = await deps.withProgress(`Previewing ${verb.toLowerCase()} of ${t.name}`, (_p, signal) => provider({ action, target: t, resources }, signal));
  if (!preview) return true;
  const captureFirst = preview.reverts?.length && deps.captureFirst ? CAPTURE_FIRST : undefined;
  const answer = await deps.prompter.confirm({ id: `preview.${action}`, severity: 'warning', message: `${verb} ${t.name}: ${preview.summary}`, detail: preview.lines.join('\n'), actions: captureFirst ? [verb, captureFirst] : [verb], yesAction: verb });
  if (answer === CAPTURE_FIRST && captureFirst) {
    await deps.withProgress(`Capturing the live edits of ${t.name}`, (_p, signal) => deps.captureFirst!(t, preview.reverts!, signal));
    return false;
  }
  return answer === verb;
}

/**
 * Warnings before a pause (an ApplicationSet or a parent app would undo it): the parents to pause too, [] to go on
 * alone, undefined to stop. Prompt `pause.warnings` (buttons "Pause Parent Too", "Pause Anyway").
 */
export async function handlePauseWarnings(deps: FlowDeps, t: FlowTarget, warnings: PauseWarning[]): Promise<ObjectRef[] | undefined> {
  if (!warnings.length) return [];
  for (const w of warnings) deps.log(`${t.name}: ${w.message}${w.route ? ` — ${w.route}` : ''}`);
  const parents = warnings.filter((w) => w.parent && w.code !== 'applicationset-owned').map((w) => w.parent!);
  const actions = [...(parents.length ? ['Pause Parent Too'] : []), 'Pause Anyway'];
  const answer = await deps.prompter.confirm({
    id: 'pause.warnings',
    severity: 'warning',
    message: `Pausing ${t.name} may be undone`,
    detail: warnings.map((w) => `• ${w.message}${w.route ? `\n  ${w.route}` : ''}`).join('\n\n'),
    actions,
    yesAction: 'Pause Anyway',
  });
  if (answer === 'Pause Parent Too') return parents;
  return answer === 'Pause Anyway' ? [] : undefined;
}

/** Pauses the parents the user chose (an Argo app's auto-sync, a Flux Kustomization's suspend), audited. */
export async function pauseParents(deps: FlowDeps, t: FlowTarget, parents: ObjectRef[], signal: AbortSignal): Promise<void> {
  if (!parents.length) return;
  const actor = await deps.actor(t.client, signal);
  for (const p of parents) {
    if (p.kind === 'Application') await pauseAutoSync(t.client, p, { signal, actor, log: deps.log });
    else await suspendFlux(t.client, p, signal, { actor, log: deps.log });
    deps.log(`paused parent ${p.kind} ${p.namespace}/${p.name}`);
  }
}
