// "Capture These First" at the impact preview (issue 15): the capture command for each resource whose human live
// edits the action would undo; the action itself is not run.
import * as vscode from 'vscode';
import type { ObjectRef } from '../core/model';
import type { DriftSession } from './driftSession';

/** "Capture These First": the capture command for each resource with human edits the action would undo. */
export function captureFirstInEditor(session: DriftSession): (target: { context: string; ref: ObjectRef }, reverts: { ref: ObjectRef; paths: string[] }[]) => Promise<void> {
  return async (target, reverts) => {
    const app = session.index.allApps().find((a) => a.context === target.context && a.drift.liveApp?.metadata.name === target.ref.name && a.drift.liveApp?.metadata.namespace === target.ref.namespace);
    if (!app) return;
    for (const r of reverts) await vscode.commands.executeCommand('gitopsDrift.captureLive', { context: app.context, appId: app.drift.app.id, ref: r.ref });
  };
}
