// Wires the History view: follows the Drift tree's selection, reloads on each new snapshot, opens entries.
import * as vscode from 'vscode';
import type { DriftSession } from '../driftSession';
import type { DriftNode } from '../tree/driftTreeModel';
import { HistoryView, OPEN_HISTORY_ENTRY, REVISION_SCHEME, RevisionDocuments } from './historyView';

export function registerHistory(context: vscode.ExtensionContext, session: DriftSession, driftTree: vscode.TreeView<DriftNode>): HistoryView {
  const view = new HistoryView(session);
  const tree = vscode.window.createTreeView('gitopsDrift.history', { treeDataProvider: view });
  const retitle = () => (tree.description = view.title);
  let pending: ReturnType<typeof setTimeout> | undefined;
  context.subscriptions.push(
    view,
    tree,
    vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, new RevisionDocuments()),
    driftTree.onDidChangeSelection((e) => view.follow(e.selection[0])),
    view.onDidChangeTreeData(retitle),
    // Internal (the entries' click), so not in the command table or the palette.
    vscode.commands.registerCommand(OPEN_HISTORY_ENTRY, (index: number) => view.open(index)),
    session.onDidChange(() => {
      // Snapshots come often while watching: re-read the app's events at most once a second.
      clearTimeout(pending);
      pending = setTimeout(() => void view.reload(), 1000);
    }),
    { dispose: () => clearTimeout(pending) },
  );
  return view;
}
