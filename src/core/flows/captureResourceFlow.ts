// Capture of one resource's live changes into Git, one flow for the editor, the CLI and breakglass end: pick the
// changes (human edits preselected) → plan the minimal file edits → save open unsaved targets → confirm the plan
// (commit on a new branch, push, or, in the CLI, write the files only) → commit only those files. Never offers or
// writes Secret data.
import type { App, FieldChange, KubeObject, ObjectRef, ResourceDiff } from '../model';
import type { CaptureOrigin, CapturePlan } from '../capture/captureTypes';
import { offerableChanges, preselectChanges } from '../capture/preselect';
import { planCapture } from '../capture/planCapture';
import { writeFileEdits } from '../capture/writeFileEdits';
import { isDirtyTargetError, isStackedCaptureError, type CaptureCommitResult } from '../git/captureCommit';
import { commitCapture } from '../engine/captureFlow';
import { short } from '../engine/sourceAnnotations';
import { cancelled, type Cancelled, type FlowDeps } from './types';

/** What capture needs from the engine (where an object comes from, the app's other rendered objects). */
export interface CaptureSource {
  captureOrigin(app: App, ref: ObjectRef, signal?: AbortSignal): Promise<CaptureOrigin>;
  renderedObjects(app: App, signal?: AbortSignal): Promise<KubeObject[]>;
}

export interface CaptureFlowInput {
  engine: CaptureSource;
  app: App;
  diff: ResourceDiff;
  /** The context the live object was read from (named in the commit message). */
  context: string;
  /** Field managers counted as human besides kubectl*. */
  humanManagers?: readonly string[];
  /** Preselect only this field (from a hover on it). */
  focusField?: string;
  branchPattern?: string;
  branch?: string;
  /** Build on the capture branch HEAD is on (a breakglass end capturing several resources); else that is refused. */
  stack?: boolean;
  /** Offer "Write Files Only" (the CLI without --commit). */
  offerWriteOnly?: boolean;
  /** Files open in the host with unsaved edits (the editor); saving them is asked first. */
  unsaved?: { among(files: string[]): string[]; save(files: string[]): Promise<void> };
}

export interface CaptureFlowResult {
  /** The changes chosen (empty: nothing to capture). */
  chosen: FieldChange[];
  plan?: CapturePlan;
  /** The commit, unless the files were only written or nothing could be written. */
  result?: CaptureCommitResult;
  /** The files written (also without a commit). */
  files: string[];
  explanation: string[];
  summary: string;
}

export const CAPTURE_ACTIONS = { commit: 'Commit on New Branch', push: 'Commit and Push', writeOnly: 'Write Files Only' } as const;

const label = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : s < 86400 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
}

export async function planResourceCapture(engine: CaptureSource, app: App, diff: ResourceDiff, changes: FieldChange[], signal?: AbortSignal): Promise<CapturePlan> {
  const origin = await engine.captureOrigin(app, diff.ref, signal);
  // Other objects of the app: an `images:` entry in an overlay would retag every object using that image.
  const appObjects = await engine.renderedObjects(app, signal);
  return planCapture({ diff, changes, origin, appObjects, signal });
}

export async function captureResourceFlow(deps: FlowDeps, input: CaptureFlowInput): Promise<CaptureFlowResult | Cancelled> {
  const { diff, app } = input;
  const what = label(diff.ref);
  const offerable = offerableChanges(diff);
  if (!offerable.length) {
    const summary = `${what}: no live change can be captured (Secret data is never written to Git).`;
    return { chosen: [], files: [], explanation: [summary], summary };
  }
  const focus = input.focusField && offerable.some((c) => c.path === input.focusField) ? input.focusField : undefined;
  const preselected = new Set(focus ? [focus] : preselectChanges(diff, input.humanManagers ?? []).map((c) => c.path));
  const now = deps.now?.() ?? new Date();
  const picks = await deps.prompter.pickMany<FieldChange>({
    id: 'capture.fields',
    title: `Capture live changes of ${what} into Git`,
    placeHolder: 'Changes written by kubectl are preselected',
    items: offerable.map((c) => ({
      label: c.path,
      description: `${short(c.desired)} → ${short(c.live)}`,
      detail: [c.category === 'live-only' ? 'live-only edit' : c.category, c.manager ? `by ${c.manager}${c.time ? ` ${ago(c.time, now)}` : ''}` : ''].filter(Boolean).join(' · '),
      picked: preselected.has(c.path),
      value: c,
    })),
  });
  if (!picks) return cancelled();
  const chosen = picks.map((p) => p.value);
  if (!chosen.length) {
    const summary = `${what}: nothing to capture (no change chosen; live changes by human field managers are preselected)`;
    return { chosen, files: [], explanation: [summary], summary };
  }
  let plan = await planResourceCapture(input.engine, app, diff, chosen);
  // A target open with unsaved edits: capture writes the file on disk, so save it first (or stop), else saving it
  // later would overwrite the captured lines.
  const dirty = input.unsaved?.among(plan.edits.map((e) => e.file)) ?? [];
  if (dirty.length) {
    const save = await deps.prompter.confirm({ id: 'capture.unsaved', severity: 'warning', message: `${dirty.join(', ')} has unsaved changes`, detail: 'Save them first? The capture is then planned on the saved file.', actions: ['Save and Continue'] });
    if (save !== 'Save and Continue') return cancelled();
    await input.unsaved!.save(dirty);
    plan = await planResourceCapture(input.engine, app, diff, chosen);
  }
  if (!plan.edits.length) {
    await deps.prompter.confirm({ id: 'capture.nothing', severity: 'warning', message: `Nothing can be written for ${what}`, detail: plan.explanation.join('\n'), actions: [] });
    return { chosen, plan, files: [], explanation: plan.explanation, summary: `Nothing can be written for ${what}` };
  }
  const actions: string[] = [CAPTURE_ACTIONS.commit, CAPTURE_ACTIONS.push, ...(input.offerWriteOnly ? [CAPTURE_ACTIONS.writeOnly] : [])];
  const answer = await deps.prompter.confirm({
    id: 'capture.plan',
    severity: 'info',
    message: `Capture ${plan.captured.length} live change(s) of ${what}?`,
    detail: plan.explanation.join('\n') + '\n\nOnly these files are committed, on a new branch; your other changes stay as they are.',
    actions,
    yesAction: CAPTURE_ACTIONS.commit,
  });
  if (!answer || !actions.includes(answer)) return cancelled();
  const files = plan.edits.map((e) => e.file);
  const finalPlan = plan;
  if (answer === CAPTURE_ACTIONS.writeOnly) {
    // All files or none: a kustomization must never name a patch file that could not be written.
    await deps.withProgress(`Writing ${what}`, (_p, signal) => writeFileEdits(finalPlan.edits, signal));
    return { chosen, plan, files, explanation: plan.explanation, summary: 'files written (not committed)' };
  }
  const push = answer === CAPTURE_ACTIONS.push;
  const commit = (allowDirty: boolean, stack: boolean) =>
    deps.withProgress(`Capturing ${what}`, (_p, signal) => commitCapture({ app, diff, plan: finalPlan, context: input.context, branchPattern: input.branchPattern, branch: input.branch, push, allowDirty, stack, signal }));
  let allowDirty = false;
  let stack = input.stack ?? false;
  let result: CaptureCommitResult | undefined;
  while (!result) {
    try {
      result = await commit(allowDirty, stack);
    } catch (e) {
      if (isDirtyTargetError(e) && !allowDirty) {
        const go = await deps.prompter.confirm({
          id: 'capture.includeDirty',
          severity: 'warning',
          message: `${e.message}.`,
          detail: 'Commit or stash them first, or include them in the capture commit.',
          actions: ['Include Them'],
        });
        if (go !== 'Include Them') return cancelled('target files have uncommitted changes');
        allowDirty = true;
      } else if (isStackedCaptureError(e) && !stack) {
        // HEAD is on an earlier capture's branch: stacking is a choice, never a surprise.
        const go = await deps.prompter.confirm({
          id: 'capture.stack',
          severity: 'warning',
          message: `HEAD is ${e.branch}, the branch of an earlier capture`,
          detail: `${e.message}.`,
          actions: ['Stack on It'],
        });
        if (go !== 'Stack on It') return cancelled(e.message);
        stack = true;
      } else throw e;
    }
  }
  const summary = `Captured ${plan.captured.length} change(s) into ${result.branch} (${result.commit.slice(0, 8)})${result.pushed ? ', pushed' : ''}.`;
  return { chosen, plan, result, files, explanation: plan.explanation, summary };
}
