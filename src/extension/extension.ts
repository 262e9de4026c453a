// Activation: the one place where the extension's parts are created and wired together.
import * as vscode from 'vscode';
import { COMMAND_IDS, type CommandId } from './commandIds';
import { DiffDocumentProvider, SCHEME } from './diffDocuments';
import { DriftSession } from './driftSession';
import { showError } from './errors';
import { GitOpsError } from '../core/model';
import { createSideContent } from './sideContent';
import { SourceDecorations } from './sourceDecorations';
import { DriftStatusBar } from './statusBar';
import { DriftTreeModel, type DriftNode } from './tree/driftTreeModel';
import { DriftTreeProvider } from './tree/driftTreeProvider';
import { filterNamespace, findResource, openDiff, openLive, revealSource, selectContexts } from './viewCommands';
import { createActionCommands } from './actionCommands';
import { RenderDiagnostics } from './renderDiagnostics';
import { LIVE_SCHEME, LiveFileSystem } from './liveFileSystem';
import { relativeTime } from './tree/driftTreeModel';
import { registerHistory } from './history/registerHistory';
import type { HistoryView } from './history/historyView';
import { framesChanged, type SnapshotChanges } from './snapshotChanges';
import { refKey } from '../core/model';

export interface GitOpsDriftApi {
  /** Registered command ids, for tests. */
  readonly commands: readonly CommandId[];
  readonly session: DriftSession;
  readonly tree: DriftTreeModel;
  /** Decorations last applied to a file's editor (1-based lines). */
  decorationsFor(uri: vscode.Uri): { line: number; text: string; liveOnly: boolean }[];
  diagnosticsFor(uri: vscode.Uri): readonly vscode.Diagnostic[];
  /** The History view (issue 15), for tests. */
  readonly history: HistoryView;
}

export interface ActivateOptions {
  /** Registers a command handler (entry.ts routes the commands it registered at activation here). */
  registerCommand?(id: CommandId, handler: (...args: any[]) => unknown): vscode.Disposable;
}

/** The extension proper, loaded by entry.ts right after activation (or used directly). */
export function activate(context: vscode.ExtensionContext, opts: ActivateOptions = {}): GitOpsDriftApi {
  const registerCommand = opts.registerCommand ?? ((id: CommandId, handler: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, handler));
  const log = vscode.window.createOutputChannel('GitOps Drift', { log: true });
  const session = new DriftSession(context.workspaceState, log, context.globalStorageUri.fsPath);
  const model = new DriftTreeModel(undefined, { driftedOnly: false });
  const provider = new DriftTreeProvider(model);
  const tree = vscode.window.createTreeView<DriftNode>('gitopsDrift.drift', { treeDataProvider: provider, showCollapseAll: true });
  const docs = new DiffDocumentProvider(createSideContent(session));
  const decorations = new SourceDecorations(() => session.index, vscode.Uri.joinPath(context.extensionUri, 'media'), (e) => session.engineForCapture().captureOrigin(e.drift.app, e.diff.ref));
  const statusBar = new DriftStatusBar();
  const diagnostics = new RenderDiagnostics();
  const warnedExpired = new Set<string>();
  const yaml: vscode.DocumentSelector = [{ scheme: 'file', language: 'yaml' }];
  const history = registerHistory(context, session, tree);
  // Relative times in the tree ("kubectl-edit 12 s ago") move on between refreshes: redraw those rows while shown.
  const clock = setInterval(() => {
    if (tree.visible) provider.tick();
  }, 10_000);
  context.subscriptions.push({ dispose: () => clearInterval(clock) });

  // After each snapshot: what it changed. One watch event changes one app; then only its rows, the decorations of
  // its files and its diff sides are redrawn (snapshotChanges.ts), never the 20,000 other resources.
  const redraw = (changes: SnapshotChanges) => {
    model.update(session.snapshot, model.currentFilter);
    model.setWatchStops(session.watchStops);
    provider.refresh();
    if (framesChanged(changes)) docs.refreshOpen();
    else if (changes.apps.length) {
      const refs = new Set(changes.apps.flatMap((ch) => [...ch.before.resources, ...ch.after.resources].map((r) => `${ch.context}\u0000${refKey(r.ref)}`)));
      docs.refreshOpen((context, ref) => refs.has(`${context}\u0000${refKey(ref)}`));
    }
    decorations.refresh(changes);
    statusBar.update(session.contexts(), session.snapshot ? session.index : undefined, session.settings.productionContextPattern, session.busy);
    const drifted = session.index.driftedCount();
    tree.badge = drifted ? { value: drifted, tooltip: `${drifted} drifted resources` } : undefined;
    tree.message = vscode.workspace.isTrusted ? undefined : 'Untrusted workspace: kustomize and helm are not run; only plain manifests are compared.';
    if (framesChanged(changes) || changes.apps.some((ch) => ch.before.errors.length || ch.after.errors.length)) diagnostics.update(session.snapshot);
    // An expired breakglass is a loose end: say so once per breakglass.
    for (const { context: ctx, drift } of session.index.allApps()) {
      const b = drift.state.breakglass;
      const key = `${ctx}/${drift.app.id}/${b?.started}`;
      if (b?.active && b.expired && !warnedExpired.has(key)) {
        warnedExpired.add(key);
        void vscode.window.showWarningMessage(`Breakglass on ${drift.app.name} (${ctx}) by ${b.user ?? '?'} expired ${relativeTime(b.expires, new Date())}: capture the live changes and end it.`, 'End Breakglass…').then((p) => {
          if (p) void vscode.commands.executeCommand('gitopsDrift.breakglassEnd', { context: ctx, appId: drift.app.id });
        });
      }
    }
  };

  context.subscriptions.push(
    log,
    session,
    tree,
    provider,
    docs,
    decorations,
    statusBar,
    diagnostics,
    session.onDidChange(redraw),
    session.onDidChangeBusy(() => statusBar.update(session.contexts(), session.snapshot ? session.index : undefined, session.settings.productionContextPattern, session.busy)),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.workspace.registerFileSystemProvider(LIVE_SCHEME, new LiveFileSystem(session, log), { isCaseSensitive: true }),
    vscode.languages.registerHoverProvider([...yaml, { scheme: SCHEME }], decorations),
    vscode.languages.registerCodeLensProvider([...yaml, { scheme: SCHEME }], decorations),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => decorations.decorate(e))),
    // A diff side gets its text after it is shown: its forecast decorations follow it.
    vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.scheme === SCHEME && vscode.window.visibleTextEditors.forEach((ed) => ed.document === e.document && decorations.decorate(ed))),
  );

  const setFilter = (patch: Partial<typeof model.currentFilter>) => {
    model.update(session.snapshot, { ...model.currentFilter, ...patch });
    provider.refresh();
    tree.description = [model.currentFilter.driftedOnly ? 'drifted only' : '', model.currentFilter.namespace ?? ''].filter(Boolean).join(' · ') || undefined;
  };

  const handlers: Record<CommandId, (...args: any[]) => unknown> = {
    'gitopsDrift.refresh': () => session.refresh(),
    'gitopsDrift.selectContexts': () => selectContexts(session),
    'gitopsDrift.toggleDriftedOnly': () => setFilter({ driftedOnly: !model.currentFilter.driftedOnly }),
    'gitopsDrift.findResource': () => findResource(session, tree, model),
    'gitopsDrift.filterNamespace': async () => {
      await filterNamespace(session, model);
      setFilter({});
    },
    'gitopsDrift.openDiff': (arg) => openDiff(session, arg),
    'gitopsDrift.openLive': (arg) => openLive(session, arg),
    'gitopsDrift.revealSource': (arg) => revealSource(session, arg),
    'gitopsDrift.showOutput': () => log.show(),
    ...createActionCommands({ session, log, context }),
  };

  for (const id of COMMAND_IDS) {
    context.subscriptions.push(
      registerCommand(id, async (...args: unknown[]) => {
        try {
          // A row from the tree may be an object of an earlier snapshot (the tree refreshed between the right-click
          // and the menu choice): act on that row's current data, found by its stable id, or say it is gone.
          const row = args[0];
          if (isTreeRow(row)) {
            const current = model.nodeById(row.id);
            if (!current) throw new GitOpsError('notFound', `${rowName(row)} is not in the drift view any more; refresh and try again`);
            args = [current, ...args.slice(1)];
          }
          return await handlers[id](...args);
        } catch (e) {
          await showError(log, commandTitle(context, id), e);
        }
      }),
    );
  }

  log.info('GitOps Drift activated');
  // The first refresh reads the kubeconfig and starts discovery synchronously: on its own turn of the event loop.
  const first = setTimeout(() => void session.refresh(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(first) });
  return { commands: COMMAND_IDS, session, tree: model, decorationsFor: (uri) => decorations.decorationsFor(uri), diagnosticsFor: (uri) => diagnostics.get(uri), history };
}

function commandTitle(context: vscode.ExtensionContext, id: CommandId): string {
  const c = (context.extension.packageJSON.contributes.commands as { command: string; title: string }[]).find((x) => x.command === id);
  return c?.title ?? id;
}

export function deactivate(): void {}

function isTreeRow(arg: unknown): arg is Exclude<DriftNode, { type: 'message' }> {
  if (!arg || typeof arg !== 'object') return false;
  const n = arg as Partial<DriftNode>;
  return typeof n.id === 'string' && (n.type === 'cluster' || n.type === 'appset' || n.type === 'app' || n.type === 'kind' || n.type === 'resource');
}

function rowName(n: Exclude<DriftNode, { type: 'message' }>): string {
  switch (n.type) {
    case 'cluster':
      return n.cluster.context;
    case 'appset':
      return `ApplicationSet ${n.set} (${n.context})`;
    case 'app':
      return `${n.drift.app.name} (${n.context})`;
    case 'kind':
      return `${n.kind} of ${n.drift.app.name} (${n.context})`;
    case 'resource':
      return `${n.diff.ref.kind} ${n.diff.ref.name} of ${n.drift.app.name} (${n.context})`;
  }
}
