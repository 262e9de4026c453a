// The History view (issue 15): the timeline of the app selected in the Drift tree — Argo CD history and last
// operation, Flux conditions and snapshots, the extension's audit Events, live edits — newest first. Clicking an
// entry that names a revision the repository has opens the app's files at that revision against the work tree;
// clicking a live edit opens the resource's Git ↔ live diff.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appHistory, type HistoryEntry } from '../../core/history/appHistory';
import { appEvents } from '../../core/history/appEvents';
import { changedSince, fileAtRevision, hasRevision } from '../../core/history/gitRevision';
import { nodeProcessRunner } from '../../core/ports';
import type { DriftNode } from '../tree/driftTreeModel';
import { relativeTime } from '../tree/driftTreeModel';
import type { DriftSession } from '../driftSession';

export const REVISION_SCHEME = 'gitops-drift-rev';
/** Registered by registerHistory; only the History view's entries call it. */
export const OPEN_HISTORY_ENTRY = 'gitopsDrift.history.openEntry';

type HistoryNode = { type: 'entry'; entry: HistoryEntry; index: number } | { type: 'detail'; text: string } | { type: 'message'; text: string };

const ICONS: Record<HistoryEntry['kind'], string> = { sync: 'git-commit', operation: 'sync', reconcile: 'sync', condition: 'pulse', event: 'note', 'live-edit': 'person' };
const COLORS: Record<NonNullable<HistoryEntry['result']>, string | undefined> = { succeeded: 'charts.green', failed: 'errorForeground', running: 'charts.blue', info: undefined };

/** `gitops-drift-rev:/<sha>/<absolute path>`: a file as it was at a commit. */
export function revisionUri(rev: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: REVISION_SCHEME, path: `/${rev}${vscode.Uri.file(file).path}` });
}

export class RevisionDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const [, rev, ...rest] = uri.path.split('/');
    const file = vscode.Uri.file('/' + rest.join('/')).fsPath;
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const text = await fileAtRevision(nodeProcessRunner, path.dirname(file), rev, file, abort.signal).catch((e: Error) => `# ${e.message}\n`);
    return text ?? `# ${file} did not exist at ${rev.slice(0, 12)}\n`;
  }
}

export class HistoryView implements vscode.TreeDataProvider<HistoryNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private target?: { context: string; appId: string };
  private nodes: HistoryNode[] = [{ type: 'message', text: 'Select an app (or one of its resources) in the Drift view to see its history.' }];
  /** For tests: the entries last shown. */
  entries: HistoryEntry[] = [];
  private loading = 0;

  constructor(private readonly session: DriftSession) {}

  /** Shows the app of a Drift tree node (an app, a kind group or a resource). */
  follow(node: DriftNode | undefined): void {
    if (!node || (node.type !== 'app' && node.type !== 'resource' && node.type !== 'kind')) return;
    this.show(node.context, node.drift.app.id);
  }

  show(context: string, appId: string): Promise<void> {
    this.target = { context, appId };
    return this.reload();
  }

  /** Re-reads the app's events and rebuilds the timeline (after a new snapshot). */
  async reload(): Promise<void> {
    const t = this.target;
    if (!t) return;
    const run = ++this.loading;
    const found = this.session.index.app(t.context, t.appId);
    if (!found) {
      this.nodes = [{ type: 'message', text: `${t.appId} is not in the current snapshot.` }];
      this.entries = [];
      this.changed.fire();
      return;
    }
    const { drift } = found;
    const messages: HistoryNode[] = [];
    let events: Awaited<ReturnType<typeof appEvents>> = [];
    if (drift.liveApp) {
      try {
        events = await appEvents(this.session.client(t.context), drift.liveApp, AbortSignal.timeout(15_000));
      } catch (e) {
        messages.push({ type: 'message', text: `Events not readable: ${(e as Error).message}` });
      }
    }
    if (run !== this.loading) return;
    this.entries = appHistory({ liveApp: drift.liveApp, events, resources: drift.resources });
    this.nodes = [...messages, ...this.entries.map((entry, index): HistoryNode => ({ type: 'entry', entry, index }))];
    if (!this.entries.length) this.nodes.push({ type: 'message', text: `No history recorded for ${drift.app.name}.` });
    this.changed.fire();
  }

  get title(): string | undefined {
    return this.target && this.session.index.app(this.target.context, this.target.appId)?.drift.app.name;
  }

  getChildren(node?: HistoryNode): HistoryNode[] {
    if (!node) return this.nodes;
    if (node.type === 'entry') return (node.entry.detail ?? []).map((text) => ({ type: 'detail', text }));
    return [];
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    if (node.type !== 'entry') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon(node.type === 'message' ? 'info' : 'dash');
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(e.title, e.detail?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = `${relativeTime(e.time, new Date())}${e.who && !e.title.includes(e.who) ? ` · ${e.who}` : ''}`;
    const md = new vscode.MarkdownString(`**${e.title}**  \n${e.time}${e.revision ? `  \nrevision \`${e.revision}\`` : ''}${e.detail?.length ? `  \n${e.detail.map((d) => `- ${d}`).join('\n')}` : ''}`);
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon(ICONS[e.kind], COLORS[e.result ?? 'info'] ? new vscode.ThemeColor(COLORS[e.result ?? 'info']!) : undefined);
    item.contextValue = `historyEntry:${e.kind}${e.revision ? ':revision' : ''}`;
    if (e.revision || e.resource) item.command = { command: OPEN_HISTORY_ENTRY, title: 'Open', arguments: [node.index] };
    return item;
  }

  /** The click on an entry: a live edit opens the resource's diff; a revision opens the app's files then vs now. */
  async open(index: number): Promise<void> {
    const e = this.entries[index];
    const t = this.target;
    const found = t && this.session.index.app(t.context, t.appId);
    if (!e || !t || !found) return;
    if (e.resource) {
      await vscode.commands.executeCommand('gitopsDrift.openDiff', { context: t.context, appId: t.appId, ref: e.resource });
      return;
    }
    const folder = found.drift.app.path;
    if (!e.revision || !folder) {
      void vscode.window.showInformationMessage(`${found.drift.app.name}: the app's folder is not in this workspace.`);
      return;
    }
    if (!(await hasRevision(nodeProcessRunner, folder, e.revision).catch(() => false))) {
      void vscode.window.showInformationMessage(`The repository does not have commit ${e.revision.slice(0, 12)} (fetch it to compare).`);
      return;
    }
    const files = await changedSince(nodeProcessRunner, folder, e.revision, folder);
    if (!files.length) {
      void vscode.window.showInformationMessage(`${found.drift.app.name}: no file of ${vscode.workspace.asRelativePath(folder)} changed since ${e.revision.slice(0, 7)}.`);
      return;
    }
    const pick = files.length === 1 ? files[0] : (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })), { title: `Files changed since ${e.revision.slice(0, 7)}` }))?.file;
    if (!pick) return;
    await vscode.commands.executeCommand('vscode.diff', revisionUri(e.revision, pick), vscode.Uri.file(pick), `${vscode.workspace.asRelativePath(pick)} · ${e.revision.slice(0, 7)} ↔ working tree`);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
