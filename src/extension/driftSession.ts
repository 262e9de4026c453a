// Holds the current drift snapshot for the workspace and keeps it fresh: full refreshes, watch events from the
// clusters (debounced, re-diff only), and edits in the working tree (the desired side follows unsaved text).
import * as vscode from 'vscode';
import { DriftEngine } from '../core/engine/driftEngine';
import type { DriftSnapshot } from '../core/engine/driftTypes';
import { RefreshScheduler, type RefreshRequest } from '../core/engine/refreshScheduler';
import { WatchPlanner, type WatchStop } from '../core/engine/watchPlanner';
import { createKubeClient, type DiscoveryEntry } from '../core/kube/http-kube-client';
import { destinationContextResolver, listContexts } from '../core/kube/kube-config';
import type { KubeClient } from '../core/kube/types';
import { nodeProcessRunner, type Logger } from '../core/ports';
import { DriftIndex } from './driftIndex';
import { NOTHING, stabilize, type SnapshotChanges } from './snapshotChanges';
import { describeError } from './errors';
import { readSettings, type Settings } from './settings';

export class DriftSession implements vscode.Disposable {
  private _snapshot?: DriftSnapshot;
  private _index = new DriftIndex();
  private engine?: DriftEngine;
  private readonly clients = new Map<string, KubeClient>();
  private readonly discoveryCache = new Map<string, DiscoveryEntry>();
  private readonly scheduler: RefreshScheduler;
  private readonly watchPlanner: WatchPlanner;
  /** What each publish changed: the apps (the index is already patched) or the whole snapshot. */
  private readonly changed = new vscode.EventEmitter<SnapshotChanges>();
  private readonly busyChanged = new vscode.EventEmitter<boolean>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeBusy = this.busyChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last refresh failure (shown once per distinct message), for diagnostics. */
  lastError?: string;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    /** The extension's storage folder: the persistent render cache lives under it. */
    private readonly storageDir?: string,
  ) {
    this.scheduler = new RefreshScheduler({
      run: (req, signal, files) => this.run(req, signal, files),
      withProgress: (work) => Promise.resolve(vscode.window.withProgress({ location: { viewId: 'gitopsDrift.drift' }, title: 'Computing drift' }, work)),
      onBusy: (b) => this.busyChanged.fire(b),
    });
    this.watchPlanner = new WatchPlanner({ clientFor: (c) => this.client(c), onLiveChange: () => this.scheduler.liveChanged(), onStopsChanged: () => this.changed.fire(NOTHING), log: this.logger });
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onEdit(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onEdit(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gitopsDrift')) this.reset();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reset()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset()),
    );
    // Files changed on disk without an editor (git checkout, a capture, another tool).
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
    this.disposables.push(watcher, watcher.onDidChange((u) => this.onFileChanged(u)), watcher.onDidCreate((u) => this.onFileChanged(u)), watcher.onDidDelete((u) => this.onFileChanged(u)));
  }

  get snapshot(): DriftSnapshot | undefined {
    return this._snapshot;
  }

  get index(): DriftIndex {
    return this._index;
  }

  get settings(): Settings {
    return readSettings();
  }

  private get logger(): Logger {
    return { trace: (m) => this.log.trace(m), info: (m) => this.log.info(m), warn: (m) => this.log.warn(m), error: (m) => this.log.error(m) };
  }

  /** Contexts chosen for this workspace, else the kubeconfig's current context. */
  contexts(): string[] {
    const s = this.settings;
    const chosen = this.state.get<string[]>('contexts') ?? s.contexts;
    if (chosen.length) return chosen;
    try {
      const { current } = listContexts({ kubeconfig: s.kubeconfig.length ? s.kubeconfig : undefined });
      return current ? [current] : [];
    } catch {
      return [];
    }
  }

  async setContexts(contexts: string[]): Promise<void> {
    await this.state.update('contexts', contexts);
    this.reset();
  }

  availableContexts(): { contexts: string[]; current: string } {
    const s = this.settings;
    return listContexts({ kubeconfig: s.kubeconfig.length ? s.kubeconfig : undefined });
  }

  client(context: string): KubeClient {
    let c = this.clients.get(context);
    if (!c) {
      const s = this.settings;
      c = createKubeClient({ kubeconfig: s.kubeconfig.length ? s.kubeconfig : undefined, context, discoveryCache: this.discoveryCache, logger: this.logger, userAgent: 'gitops-drift' });
      this.clients.set(context, c);
    }
    return c;
  }

  private getEngine(): DriftEngine {
    if (!this.engine) {
      const s = this.settings;
      this.engine = new DriftEngine({
        roots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
        clientFor: (c) => this.client(c),
        runner: nodeProcessRunner,
        trusted: vscode.workspace.isTrusted,
        kustomizePath: s.kustomizePath || undefined,
        helmPath: s.helmPath || undefined,
        humanManagers: s.humanFieldManagers,
        renderCacheDir: this.storageDir,
        schemaCacheDir: this.storageDir,
        diffMode: s.diffMode,
        contextForDestination: destinationContextResolver({ kubeconfig: s.kubeconfig.length ? s.kubeconfig : undefined }),
        log: this.logger,
      });
    }
    return this.engine;
  }

  /** The engine (created on demand), for capture planning, which needs render provenance. */
  engineForCapture(): DriftEngine {
    return this.getEngine();
  }

  /** Files were written by a command: the next refresh re-renders the apps that read them. */
  filesChanged(files: string[]): void {
    this.scheduler.filesChanged(files);
  }

  /** Settings, trust or folders changed: start over. */
  reset(): void {
    this.engine = undefined;
    this.clients.clear();
    this.watchPlanner.stop();
    void this.refresh();
  }

  private dirtyOverlays(): Map<string, string> {
    const m = new Map<string, string>();
    for (const d of vscode.workspace.textDocuments) {
      if (d.uri.scheme === 'file' && d.isDirty && /\.(ya?ml|json)$/i.test(d.uri.fsPath)) m.set(d.uri.fsPath, d.getText());
    }
    return m;
  }

  /** Full refresh (list live state again) unless `reuseLive`; never runs two at once (the newer wins). */
  refresh(opts: RefreshRequest = {}): Promise<void> {
    return this.scheduler.refresh(opts);
  }

  /** One run of the scheduler: compute, publish, keep the watches matching what was read. */
  private async run(opts: RefreshRequest, signal: AbortSignal, files: string[]): Promise<void> {
    const contexts = this.contexts();
    void vscode.commands.executeCommand('setContext', 'gitopsDrift.hasContexts', contexts.length > 0);
    if (!contexts.length) {
      this.publish(undefined);
      return;
    }
    try {
      const engine = this.getEngine();
      if (files.length) engine.invalidateFiles(files);
      // The first time these clusters are shown, apps appear as they finish (clusters still computing say loading).
      const shown = this._snapshot?.clusters.map((c) => c.context).join('\n');
      const progressive = !this._snapshot || shown !== contexts.join('\n') || this._snapshot.clusters.some((c) => c.loading);
      const onProgress = progressive ? (partial: DriftSnapshot) => !signal.aborted && this.publish(partial, files.length > 0) : undefined;
      const snap = await engine.compute(contexts, { signal, overlays: this.dirtyOverlays(), reuseLive: opts.reuseLive, onProgress });
      if (signal.aborted) return;
      const t = snap.timings;
      this.log.info(`drift: ${snap.clusters.map((c) => `${c.context}: ${c.apps.length} apps${c.error ? ` (${c.error.reason})` : ''}`).join(', ')} in ${t.totalMs} ms (render ${t.renderMs}, fetch ${t.fetchMs}, diff ${t.diffMs})`);
      for (const c of snap.clusters) if (c.error) this.log.warn(`${c.context}: ${c.error.message}`);
      this.lastError = undefined;
      this.publish(snap, files.length > 0);
      this.ensureWatches(contexts);
    } catch (e) {
      if (signal.aborted) return;
      const msg = describeError(e);
      this.log.error(`drift refresh failed: ${msg}`);
      if (!opts.quiet && msg !== this.lastError) {
        void vscode.window.showErrorMessage(`GitOps Drift: ${msg}`, 'Open Output').then((p) => p && this.log.show(true));
      }
      this.lastError = msg;
    }
  }

  get busy(): boolean {
    return this.scheduler.busy;
  }

  /**
   * Shows a new snapshot. Apps equal to the ones shown keep their objects and only the changed apps' index entries
   * are replaced (a watch event re-diffs every app but changes one); listeners get the changed apps.
   * `filesChanged`: workspace files changed since the last snapshot (what reads files starts over).
   */
  private publish(snap: DriftSnapshot | undefined, filesChanged = false): void {
    const { snapshot, changes } = stabilize(this._snapshot, snap);
    this._snapshot = snapshot;
    if (changes.whole) this._index = new DriftIndex(snapshot);
    else this._index.patch(snapshot, changes);
    const loaded = !!snapshot && snapshot.clusters.every((c) => c.apps.length === 0 && !c.error && !c.loading);
    if (loaded !== this.loadedContext) {
      this.loadedContext = loaded;
      void vscode.commands.executeCommand('setContext', 'gitopsDrift.loaded', loaded);
    }
    this.changed.fire(filesChanged ? { ...changes, filesChanged } : changes);
  }

  private loadedContext?: boolean;

  private onEdit(doc: vscode.TextDocument): void {
    this.onFileChanged(doc.uri);
  }

  private onFileChanged(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || !/\.(ya?ml|json)$/i.test(uri.fsPath) || !this._snapshot) return;
    if (!vscode.workspace.getWorkspaceFolder(uri) || /[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath)) return;
    this.scheduler.fileChanged(uri.fsPath);
  }

  private ensureWatches(contexts: string[]): void {
    if (!this.settings.watch || !this.engine) {
      this.watchPlanner.stop();
      return;
    }
    this.watchPlanner.ensure(this.engine, contexts);
  }

  /** The watches run and have each delivered their first full state (for the benchmark: edits show from now on). */
  get watchesSynced(): boolean {
    return this.watchPlanner.synced;
  }

  /** Per context, the watches that stopped for good since they were last started. */
  get watchStops(): ReadonlyMap<string, readonly WatchStop[]> {
    return this.watchPlanner.stops;
  }

  dispose(): void {
    this.scheduler.dispose();
    this.watchPlanner.stop();
    this.changed.dispose();
    this.busyChanged.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
