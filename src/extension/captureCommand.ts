// "Capture Live Changes to Git…": a thin adapter over the capture flow (src/core/flows/captureResourceFlow.ts).
// It resolves the resource (the node or link, the resource in view, or a pick), lets the flow ask which changes and
// confirm the plan, saves open unsaved targets when the user agrees, then re-diffs and offers the pull request link.
import * as vscode from 'vscode';
import type { AppDrift } from '../core/engine/driftTypes';
import { captureResourceFlow, isCancelled, type CaptureFlowResult, type Cancelled } from '../core/flows';
import type { ResourceDiff } from '../core/model';
import type { DriftSession } from './driftSession';
import { vscodeFlowDeps } from './vscodePrompter';
import { pickResource, resourceFromArg, resourceInView } from './viewCommands';

export type CaptureOutcome = CaptureFlowResult;

/** Why capture is off in an untrusted workspace (it runs git in the repository). */
export const UNTRUSTED_CAPTURE_MESSAGE =
  'GitOps Drift: capture is off in an untrusted workspace: it runs git in this repository, whose hooks and configuration could run programs. Trust the workspace to capture live changes.';

/** Runs the capture flow on one resource and re-diffs; shared by the Capture command and End Breakglass. */
export async function captureOne(session: DriftSession, log: vscode.LogOutputChannel, r: { context: string; drift: AppDrift; diff: ResourceDiff; focusField?: string; stack?: boolean; quiet?: boolean }): Promise<CaptureFlowResult | Cancelled | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_CAPTURE_MESSAGE);
    return undefined;
  }
  const settings = session.settings;
  const outcome = await captureResourceFlow(vscodeFlowDeps(log, settings.productionContextPattern), {
    engine: session.engineForCapture(),
    app: r.drift.app,
    diff: r.diff,
    context: r.context,
    humanManagers: settings.humanFieldManagers,
    focusField: r.focusField,
    branchPattern: settings.captureBranchPattern,
    stack: r.stack,
    unsaved: {
      among: (files) => vscode.workspace.textDocuments.filter((d) => d.isDirty && files.includes(d.uri.fsPath)).map((d) => d.uri.fsPath),
      async save(files) {
        for (const d of vscode.workspace.textDocuments.filter((x) => files.includes(x.uri.fsPath))) await d.save();
        session.filesChanged(files);
      },
    },
  });
  if (isCancelled(outcome)) return outcome;
  if (!outcome.result) {
    if (!outcome.plan) void vscode.window.showInformationMessage(outcome.summary);
    return outcome;
  }
  const result = outcome.result;
  session.filesChanged(outcome.files);
  await session.refresh({ reuseLive: true, quiet: true });
  log.info(outcome.summary);
  // Quiet: part of a larger flow (End Breakglass) whose own result names the branch; one notification per action.
  if (r.quiet) return outcome;
  void vscode.window.showInformationMessage(outcome.summary, ...(result.compareUrl ? ['Open Pull Request'] : [])).then((p) => {
    if (p && result.compareUrl) void vscode.env.openExternal(vscode.Uri.parse(result.compareUrl));
  });
  return outcome;
}

export async function captureLive(session: DriftSession, log: vscode.LogOutputChannel, arg: unknown): Promise<CaptureFlowResult | Cancelled | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_CAPTURE_MESSAGE);
    return undefined;
  }
  const inView = arg === undefined ? resourceInView(session) : undefined;
  const r = resourceFromArg(session, arg) ?? (inView && inView.diff.status !== 'Synced' ? inView : undefined) ?? (await pickResource(session, { driftedOnly: true, title: 'Capture live changes of…' }));
  if (!r) return undefined;
  // From a hover on one field ("Capture live value"), that field is the one preselected.
  const field = (arg as { field?: unknown } | undefined)?.field;
  return captureOne(session, log, { context: r.context, drift: r.drift, diff: r.diff, focusField: typeof field === 'string' ? field : undefined });
}
