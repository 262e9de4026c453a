// Gutter icons and after-text on source YAML lines whose value differs from live, plus hover and CodeLens.
import * as vscode from 'vscode';
import { annotateSource, short, type SourceAnnotation } from '../core/engine/sourceAnnotations';
import { relativeTime } from './tree/driftTreeModel';
import { locatorOf, type DriftIndex, type IndexedResource } from './driftIndex';

function commandLink(command: string, arg: unknown, label: string): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify([arg]))})`;
}

export class SourceDecorations implements vscode.HoverProvider, vscode.CodeLensProvider {
  private readonly modifiedType: vscode.TextEditorDecorationType;
  private readonly liveOnlyType: vscode.TextEditorDecorationType;
  private readonly codeLensChanged = new vscode.EventEmitter<void>();
  /** What each file was last decorated with (1-based lines), for tests and the status of open editors. */
  private readonly applied = new Map<string, { line: number; text: string; liveOnly: boolean }[]>();
  readonly onDidChangeCodeLenses = this.codeLensChanged.event;

  constructor(
    private index: () => DriftIndex,
    media: vscode.Uri,
  ) {
    this.modifiedType = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(media, 'drift-modified.svg'),
      gutterIconSize: 'contain',
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.modifiedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
    this.liveOnlyType = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(media, 'drift-live-only.svg'),
      gutterIconSize: 'contain',
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
  }

  private annotations(doc: vscode.TextDocument): { entry: IndexedResource; ann: SourceAnnotation }[] {
    const entries = this.index().forFile(doc.uri.fsPath);
    if (!entries.length) return [];
    // One parse of the document for all its resources.
    const entryOf = new Map(entries.map((e) => [e.diff, e]));
    return annotateSource(doc.getText(), entries.map((e) => e.diff)).map((ann) => ({ entry: entryOf.get(ann.diff)!, ann }));
  }

  /** Redraw every visible editor (after a new snapshot or an edit). */
  refresh(): void {
    for (const editor of vscode.window.visibleTextEditors) this.decorate(editor);
    this.codeLensChanged.fire();
  }

  decorate(editor: vscode.TextEditor): void {
    if (editor.document.uri.scheme !== 'file') return;
    const modified: vscode.DecorationOptions[] = [];
    const liveOnly: vscode.DecorationOptions[] = [];
    // One after-text per line: several changes on one ancestor line are joined.
    const perLine = new Map<number, { texts: string[]; liveOnly: boolean }>();
    for (const { ann } of this.annotations(editor.document)) {
      const e = perLine.get(ann.line) ?? { texts: [], liveOnly: false };
      e.texts.push(ann.text);
      e.liveOnly ||= ann.change.category === 'live-only';
      perLine.set(ann.line, e);
    }
    for (const [line, e] of perLine) {
      const l = Math.min(line - 1, editor.document.lineCount - 1);
      const range = new vscode.Range(l, editor.document.lineAt(l).range.end.character, l, editor.document.lineAt(l).range.end.character);
      const opt: vscode.DecorationOptions = { range, renderOptions: { after: { contentText: e.texts.join(' · ') } } };
      (e.liveOnly ? liveOnly : modified).push(opt);
    }
    editor.setDecorations(this.modifiedType, modified);
    editor.setDecorations(this.liveOnlyType, liveOnly);
    this.applied.set(editor.document.uri.fsPath, [...perLine].map(([line, e]) => ({ line, text: e.texts.join(' · '), liveOnly: e.liveOnly })));
  }

  decorationsFor(uri: vscode.Uri): { line: number; text: string; liveOnly: boolean }[] {
    return this.applied.get(uri.fsPath) ?? [];
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const here = this.annotations(doc).filter(({ ann }) => ann.line - 1 === pos.line);
    if (!here.length) return undefined;
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = { enabledCommands: ['gitopsDrift.openDiff', 'gitopsDrift.captureLive', 'gitopsDrift.sync', 'gitopsDrift.reconcile'] };
    const now = new Date();
    for (const { entry, ann } of here) {
      const c = ann.change;
      md.appendMarkdown(`**GitOps Drift** · ${entry.diff.ref.kind} \`${entry.diff.ref.name}\` · ${entry.context}\n\n`);
      md.appendMarkdown(`\`${c.path}\`${c.category === 'live-only' ? ' — *live-only edit, not in Git*' : ''}\n\n`);
      md.appendMarkdown(`| Git | Live |\n|---|---|\n| \`${short(c.desired, 60)}\` | \`${short(c.live, 60)}\` |\n\n`);
      if (c.manager) md.appendMarkdown(`Changed live by **${c.manager}**${c.time ? `, ${relativeTime(c.time, now)} (${c.time})` : ''}\n\n`);
    }
    const entry = here[0].entry;
    const loc = locatorOf(entry);
    const links = [commandLink('gitopsDrift.openDiff', loc, 'Show diff'), commandLink('gitopsDrift.captureLive', { ...loc, field: here[0].ann.change.path }, 'Capture live value')];
    if (entry.drift.state.controller === 'argo') links.push(commandLink('gitopsDrift.sync', { context: loc.context, appId: loc.appId }, 'Sync app'));
    if (entry.drift.state.controller === 'flux') links.push(commandLink('gitopsDrift.reconcile', { context: loc.context, appId: loc.appId }, 'Reconcile'));
    md.appendMarkdown(links.join(' · '));
    return new vscode.Hover(md);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const entry of this.index().forFile(doc.uri.fsPath)) {
      const d = entry.diff;
      if (d.status === 'Synced' || !d.source) continue;
      const line = Math.max(0, Math.min(d.source.startLine - 1, doc.lineCount - 1));
      const range = new vscode.Range(line, 0, line, 0);
      const loc = locatorOf(entry);
      const n = d.changes.length;
      const what = d.status === 'Modified' ? `${n} field${n === 1 ? '' : 's'} drifted` : d.status === 'MissingLive' ? 'missing live' : d.status === 'Unknown' ? 'drift unknown' : d.status;
      lenses.push(new vscode.CodeLens(range, { title: `$(git-compare) ${what} · ${entry.context}`, command: "gitopsDrift.openDiff", arguments: [loc] }));
      lenses.push(new vscode.CodeLens(range, { title: 'Show diff', command: 'gitopsDrift.openDiff', arguments: [loc] }));
      if (d.status === 'Modified') lenses.push(new vscode.CodeLens(range, { title: 'Capture', command: 'gitopsDrift.captureLive', arguments: [loc] }));
      if (entry.drift.state.controller === 'argo') lenses.push(new vscode.CodeLens(range, { title: 'Sync', command: 'gitopsDrift.sync', arguments: [{ context: loc.context, appId: loc.appId }] }));
      if (entry.drift.state.controller === 'flux') lenses.push(new vscode.CodeLens(range, { title: 'Reconcile', command: 'gitopsDrift.reconcile', arguments: [{ context: loc.context, appId: loc.appId }] }));
    }
    return lenses;
  }

  dispose(): void {
    this.modifiedType.dispose();
    this.liveOnlyType.dispose();
    this.codeLensChanged.dispose();
  }
}
