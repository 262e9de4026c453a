// "Capture Live Changes to Git…": pick the live changes (human edits preselected), show which files will change,
// commit only those files on a new branch, then re-diff. Tests and scripts may pass options instead of answering
// prompts.
import * as vscode from 'vscode';
import { offerableChanges, preselectChanges } from '../core/capture/preselect';
import { commitCapture, planResourceCapture } from '../core/engine/captureFlow';
import type { CaptureCommitResult } from '../core/git/captureCommit';
import { isDirtyTargetError } from '../core/git/captureCommit';
import type { FieldChange } from '../core/model';
import { short } from '../core/engine/sourceAnnotations';
import type { DriftSession } from './driftSession';
import { relativeTime } from './tree/driftTreeModel';
import { pickResource, refLabel, resourceFromArg } from './viewCommands';

export interface CaptureOptions {
  /** Field paths to capture; default: ask (human edits preselected). `'preselected'` takes the preselection. */
  fields?: string[] | 'preselected';
  /** Skip the confirmation of the plan. */
  yes?: boolean;
  push?: boolean;
  /** Include uncommitted changes already in a target file instead of asking. */
  allowDirty?: boolean;
  branch?: string;
}

export interface CaptureOutcome {
  result?: CaptureCommitResult;
  explanation: string[];
}

/** Why capture is off in an untrusted workspace (it runs git in the repository). */
export const UNTRUSTED_CAPTURE_MESSAGE =
  'GitOps Drift: capture is off in an untrusted workspace: it runs git in this repository, whose hooks and configuration could run programs. Trust the workspace to capture live changes.';

export async function captureLive(session: DriftSession, arg: unknown, opts: CaptureOptions = {}): Promise<CaptureOutcome | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_CAPTURE_MESSAGE);
    return undefined;
  }
  const r = resourceFromArg(session, arg) ?? (await pickResource(session, { driftedOnly: true, title: 'Capture live changes of…' }));
  if (!r) return undefined;
  const offerable = offerableChanges(r.diff);
  if (!offerable.length) {
    void vscode.window.showInformationMessage(`${refLabel(r.diff.ref)}: no live change can be captured (Secret data is never written to Git).`);
    return undefined;
  }
  // From a hover on one field ("Capture live value"), that field is the one preselected.
  const focus = typeof (arg as { field?: unknown } | undefined)?.field === 'string' ? (arg as { field: string }).field : undefined;
  const preselected = new Set(focus && offerable.some((c) => c.path === focus) ? [focus] : preselectChanges(r.diff, session.settings.humanFieldManagers).map((c) => c.path));
  let chosen: FieldChange[];
  if (Array.isArray(opts.fields)) chosen = offerable.filter((c) => opts.fields!.includes(c.path));
  else if (opts.fields === 'preselected') chosen = offerable.filter((c) => preselected.has(c.path));
  else {
    const now = new Date();
    const picks = await vscode.window.showQuickPick(
      offerable.map((c) => ({
        label: c.path,
        description: `${short(c.desired)} → ${short(c.live)}`,
        detail: [c.category === 'live-only' ? 'live-only edit' : c.category, c.manager ? `by ${c.manager}${c.time ? ` ${relativeTime(c.time, now)}` : ''}` : ''].filter(Boolean).join(' · '),
        picked: preselected.has(c.path),
        c,
      })),
      { canPickMany: true, title: `Capture live changes of ${refLabel(r.diff.ref)} into Git`, placeHolder: 'Changes written by kubectl are preselected' },
    );
    if (!picks) return undefined;
    chosen = picks.map((p) => p.c);
  }
  if (!chosen.length) return undefined;

  const engine = session.engineForCapture();
  let plan = await planResourceCapture({ engine, app: r.drift.app, diff: r.diff, changes: chosen });
  // A target open with unsaved edits: capture writes the file on disk, so save the editor first (or stop), else
  // saving it later would overwrite the captured lines.
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && plan.edits.some((e) => e.file === d.uri.fsPath));
  if (dirty.length) {
    const names = dirty.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ');
    const save = opts.yes || (await vscode.window.showWarningMessage(`${names} has unsaved changes`, { modal: true, detail: 'Save them first? The capture is then planned on the saved file.' }, 'Save and Continue')) === 'Save and Continue';
    if (!save) return undefined;
    for (const d of dirty) await d.save();
    session.filesChanged(dirty.map((d) => d.uri.fsPath));
    plan = await planResourceCapture({ engine, app: r.drift.app, diff: r.diff, changes: chosen });
  }
  if (!plan.edits.length) {
    await vscode.window.showWarningMessage(`Nothing can be written for ${refLabel(r.diff.ref)}`, { modal: true, detail: plan.explanation.join('\n') });
    return { explanation: plan.explanation };
  }
  let push = opts.push ?? false;
  if (!opts.yes) {
    const answer = await vscode.window.showInformationMessage(
      `Capture ${plan.captured.length} live change(s) of ${refLabel(r.diff.ref)}?`,
      { modal: true, detail: plan.explanation.join('\n') + '\n\nOnly these files are committed, on a new branch; your other changes stay as they are.' },
      'Commit on New Branch',
      'Commit and Push',
    );
    if (!answer) return undefined;
    push = answer === 'Commit and Push';
  }
  const settings = session.settings;
  const commit = (allowDirty: boolean) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Capturing ${refLabel(r.diff.ref)}` }, () =>
      commitCapture({ app: r.drift.app, diff: r.diff, plan, context: r.context, branchPattern: settings.captureBranchPattern, branch: opts.branch, push, allowDirty }),
    );
  let result: CaptureCommitResult;
  try {
    result = await commit(opts.allowDirty ?? false);
  } catch (e) {
    if (!isDirtyTargetError(e) || opts.allowDirty !== undefined) throw e;
    const go = await vscode.window.showWarningMessage(
      `${e.files.map((f) => vscode.workspace.asRelativePath(f)).join(', ')} already has uncommitted changes.`,
      { modal: true, detail: 'Capturing now would commit those changes too. Commit or stash them first, or include them.' },
      'Include Them',
    );
    if (go !== 'Include Them') return undefined;
    result = await commit(true);
  }
  session.filesChanged(plan.edits.map((e) => e.file));
  await session.refresh({ reuseLive: true, quiet: true });
  const msg = `Captured ${plan.captured.length} change(s) into ${result.branch} (${result.commit.slice(0, 8)})${result.pushed ? ', pushed' : ''}.`;
  if (!opts.yes) {
    void vscode.window.showInformationMessage(msg, ...(result.compareUrl ? ['Open Pull Request'] : [])).then((p) => {
      if (p && result.compareUrl) void vscode.env.openExternal(vscode.Uri.parse(result.compareUrl));
    });
  }
  return { result, explanation: plan.explanation };
}
