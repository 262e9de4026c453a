// Gutter icons and after-text on source YAML lines whose value differs from live, plus hover and CodeLens.
import * as vscode from 'vscode';
import { annotateSource, short, type SourceAnnotation } from '../core/engine/sourceAnnotations';
import { relativeTime } from './tree/driftTreeModel';
import { locatorOf, type DriftIndex, type IndexedResource } from './driftIndex';
import { forecastChange, forecastDiff, type RevertForecast } from '../core/forecast/revertForecast';
import { forecastIcon, forecastLabel } from '../core/forecast/describeForecast';
import { forecastAnchors } from '../core/forecast/forecastAnchors';
import { parseSideUri, SCHEME } from './diffDocuments';

/** "$(history) reverted at the next reconcile (~12:02 UTC, in 2 min)" + counts of the rest, for a CodeLens title. */
function lensTitle(forecasts: RevertForecast[], now: Date): string | undefined {
  if (!forecasts.length) return undefined;
  const first = forecasts[0];
  const groups = new Map<string, number>();
  for (const f of forecasts) groups.set(f.when, (groups.get(f.when) ?? 0) + 1);
  const rest = forecasts.length - (groups.get(first.when) ?? 0);
  return `${forecastIcon(first)} ${forecastLabel(first, now)}${rest ? ` · ${rest} other field${rest === 1 ? '' : 's'}: ${[...groups.keys()].filter((w) => w !== first.when).join(', ')}` : ''}`;
}

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
    if (doc.uri.scheme === SCHEME) return this.sideHover(doc, pos);
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
      const f = forecastChange(entry.drift, entry.diff, c, now);
      md.appendMarkdown(`${forecastIcon(f)} **${forecastLabel(f, now)}** — ${f.reason} *(${f.rule})*\n\n`);
    }
    const entry = here[0].entry;
    const loc = locatorOf(entry);
    const links = [commandLink('gitopsDrift.openDiff', loc, 'Show diff'), commandLink('gitopsDrift.captureLive', { ...loc, field: here[0].ann.change.path }, 'Capture live value')];
    if (entry.drift.state.controller === 'argo') links.push(commandLink('gitopsDrift.sync', { context: loc.context, appId: loc.appId }, 'Sync app'));
    if (entry.drift.state.controller === 'flux') links.push(commandLink('gitopsDrift.reconcile', { context: loc.context, appId: loc.appId }, 'Reconcile'));
    md.appendMarkdown(links.join(' · '));
    return new vscode.Hover(md);
  }

  /** The resource the live (right) side of a diff editor shows, when the snapshot has it. */
  private sideEntry(doc: vscode.TextDocument): IndexedResource | undefined {
    const p = parseSideUri(doc.uri);
    return p?.side === 'live' ? this.index().resource({ context: p.context, appId: '*', ref: p.ref }) : undefined;
  }

  /** Diff editor: a forecast above each changed field (the hunk) and for a whole missing / pruned object. */
  private sideLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const entry = this.sideEntry(doc);
    if (!entry || entry.diff.status === 'Synced') return [];
    const now = new Date();
    const byLine = new Map<number, RevertForecast[]>();
    for (const a of forecastAnchors(doc.getText(), entry.drift, entry.diff, now)) byLine.set(a.line, [...(byLine.get(a.line) ?? []), a.forecast]);
    const loc = locatorOf(entry);
    return [...byLine].map(([line, fs]) => {
      const l = Math.max(0, Math.min(line - 1, doc.lineCount - 1));
      const f = fs[0];
      return new vscode.CodeLens(new vscode.Range(l, 0, l, 0), { title: `${lensTitle(fs, now)} — ${f.reason}`, tooltip: `${f.rule}`, command: 'gitopsDrift.openDiff', arguments: [loc] });
    });
  }

  private sideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const entry = this.sideEntry(doc);
    if (!entry) return undefined;
    const now = new Date();
    const here = forecastAnchors(doc.getText(), entry.drift, entry.diff, now).filter((a) => a.line - 1 === pos.line);
    if (!here.length) return undefined;
    const md = new vscode.MarkdownString('', true);
    for (const a of here) md.appendMarkdown(`${a.change ? `\`${a.change.path}\`: ` : ''}${forecastIcon(a.forecast)} **${forecastLabel(a.forecast, now)}** — ${a.forecast.reason} *(${a.forecast.rule})*\n\n`);
    return new vscode.Hover(md);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme === SCHEME) return this.sideLenses(doc);
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
      const fc = forecastDiff(entry.drift, d, new Date());
      const forecastTitle = lensTitle(fc.resource ? [fc.resource] : fc.changes, new Date());
      if (forecastTitle) lenses.push(new vscode.CodeLens(range, { title: forecastTitle, tooltip: (fc.resource ?? fc.changes[0]).reason, command: 'gitopsDrift.openDiff', arguments: [loc] }));
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
