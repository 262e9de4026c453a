// The editor's side of the workflow layer (src/core/flows): the Prompter as quick picks, input boxes and modal
// dialogs, progress as a cancellable notification. Titles and labels come from the flows and stay stable (the
// journey tests read them).
import * as vscode from 'vscode';
import type { FlowDeps, Prompter, PromptItem, RunWithProgress } from '../core/flows/types';
import { detectUser, resolveActor } from '../core/control';
import { nodeProcessRunner } from '../core/ports';

export function vscodePrompter(log: vscode.LogOutputChannel): Prompter {
  const quickItems = <T>(items: PromptItem<T>[]) => items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, picked: i.picked, item: i }));
  return {
    async confirm(p) {
      const options = { modal: true, detail: p.detail };
      return p.severity === 'info' ? vscode.window.showInformationMessage(p.message, options, ...p.actions) : vscode.window.showWarningMessage(p.message, options, ...p.actions);
    },
    typedConfirmation(p) {
      return Promise.resolve(
        vscode.window.showInputBox({
          title: p.title,
          prompt: p.prompt,
          placeHolder: p.expected,
          ignoreFocusOut: true,
          validateInput: (v) => (v === p.expected || v === '' ? undefined : `Type exactly ${p.expected}`),
        }),
      );
    },
    async pickOne(p) {
      const pick = await vscode.window.showQuickPick(quickItems(p.items), { title: p.title, placeHolder: p.placeHolder, matchOnDescription: true, matchOnDetail: true });
      return pick?.item;
    },
    async pickMany(p) {
      const picks = await vscode.window.showQuickPick(quickItems(p.items), { title: p.title, placeHolder: p.placeHolder, canPickMany: true, matchOnDescription: true });
      return picks?.map((x) => x.item);
    },
    input(p) {
      return Promise.resolve(vscode.window.showInputBox({ title: p.title, prompt: p.prompt, value: p.value, placeHolder: p.placeHolder, ignoreFocusOut: true, validateInput: p.validate }));
    },
    notify(severity, message, detail) {
      if (detail) log.info(`${message}\n${detail}`);
      if (severity === 'info') void vscode.window.showInformationMessage(message);
      else if (severity === 'warning') void vscode.window.showWarningMessage(message);
      else void vscode.window.showErrorMessage(message, 'Open Output').then((p) => p && log.show(true));
    },
  };
}

/**
 * How long a step runs before its progress notification appears. Quick steps show none: the workbench drops toasts
 * beyond 3 in 800 ms (spam protection), and a flash of progress right before a result could push the result out.
 */
export const PROGRESS_DELAY_MS = 500;

/** Progress as a cancellable notification, shown only once the work has run for PROGRESS_DELAY_MS. */
export const vscodeProgress: RunWithProgress = (title, work) => {
  const ctrl = new AbortController();
  let report: ((message: string) => void) | undefined;
  let last: string | undefined;
  const running = work({ report: (message) => ((last = message), report?.(message)) }, ctrl.signal);
  let settled = false;
  const done = running.then(
    () => void (settled = true),
    () => void (settled = true),
  );
  const timer = setTimeout(() => {
    if (settled) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (p, token) => {
      token.onCancellationRequested(() => ctrl.abort());
      report = (message) => p.report({ message });
      if (last) report(last);
      return done;
    });
  }, PROGRESS_DELAY_MS);
  void done.then(() => clearTimeout(timer));
  return running;
};

/** The flows' ports in the editor. */
export function vscodeFlowDeps(log: vscode.LogOutputChannel, productionPattern: string | undefined): FlowDeps {
  return {
    prompter: vscodePrompter(log),
    withProgress: vscodeProgress,
    productionPattern,
    log: (m) => log.warn(m),
    // Who acts on a context: the cluster user (SelfSubjectReview), git identity second; never fails.
    async actor(client, signal) {
      const gitUser = await detectUser(nodeProcessRunner, { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, signal });
      return resolveActor(client, { gitUser, signal, log: (m) => log.warn(m) });
    },
  };
}
