// Activation: the one place where the extension's parts are created and wired together.
import * as vscode from 'vscode';
import { COMMAND_IDS, type CommandId } from './commandIds';
import { showError } from './errors';

export interface GitOpsDriftApi {
  /** Registered command ids, for tests. */
  readonly commands: readonly CommandId[];
}

export function activate(context: vscode.ExtensionContext): GitOpsDriftApi {
  const log = vscode.window.createOutputChannel('GitOps Drift', { log: true });
  context.subscriptions.push(log);
  log.info('GitOps Drift activating');

  const tree = vscode.window.createTreeView('gitopsDrift.drift', {
    treeDataProvider: { getChildren: () => [], getTreeItem: (e: vscode.TreeItem) => e },
    showCollapseAll: true,
  });
  context.subscriptions.push(tree);

  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = Object.fromEntries(
    COMMAND_IDS.map((id) => [id, () => vscode.window.showInformationMessage(`${id} is not available yet.`)]),
  ) as Record<CommandId, (...args: unknown[]) => unknown>;
  handlers['gitopsDrift.showOutput'] = () => log.show();

  for (const id of COMMAND_IDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handlers[id](...args);
        } catch (e) {
          await showError(log, id, e);
        }
      }),
    );
  }
  return { commands: COMMAND_IDS };
}

export function deactivate(): void {}
