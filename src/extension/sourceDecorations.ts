// Gutter icons and after-text on source YAML lines whose value differs from live, plus hover and CodeLens.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { short } from '../core/engine/sourceAnnotations';
import { annotateWithProvenance, settersOf, type ProvenanceAnnotation, type ProvenanceItem } from '../core/engine/provenanceAnnotations';
import { shortPath } from '../core/engine/fieldSetter';
import type { CaptureOrigin } from '../core/capture/captureTypes';
import { refKey, type ResourceDiff } from '../core/model';
import type { AppDrift } from '../core/engine/driftTypes';
import { framesChanged, WHOLE, type SnapshotChanges } from './snapshotChanges';
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
  /** The revert forecast after each changed field on the live side of a diff editor (CodeLenses are off there by default). */
  private readonly forecastType: vscode.TextEditorDecorationType;
  private readonly codeLensChanged = new vscode.EventEmitter<void>();
  /** What each file was last decorated with (1-based lines), for tests and the status of open editors. */
  private readonly applied = new Map<string, { line: number; text: string; liveOnly: boolean }[]>();
  readonly onDidChangeCodeLenses = this.codeLensChanged.event;

  /** Pointers on shared-base lines an overlay overrides: plain text, no drift mark. */
  private readonly pointerType: vscode.TextEditorDecorationType;
  /** Kustomize provenance per drifted resource (resolved asynchronously, then the editors are redrawn). */
  private readonly origins = new WeakMap<ResourceDiff, CaptureOrigin | null>();
  /**
   * Per index version: the files that set some drifted field (overlay kustomizations, patches) → their resources,
   * and per app the files it is in (to patch the map when an app changes). Built when an editor first needs it.
   */
  private setterFiles?: { index: DriftIndex; version: number; files: Map<string, IndexedResource[]>; byApp: Map<AppDrift, Set<string>> };

  constructor(
    private index: () => DriftIndex,
    media: vscode.Uri,
    /** Where a resource comes from (engine.captureOrigin): the kustomization chain its fields are set in. */
    private readonly originOf?: (entry: IndexedResource) => Promise<CaptureOrigin>,
  ) {
    this.pointerType = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
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
    this.forecastType = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
  }

  /** Live side of a diff editor: the forecast after each changed field's line. */
  private decorateSide(editor: vscode.TextEditor): void {
    const entry = this.sideEntry(editor.document);
    const now = new Date();
    const perLine = new Map<number, string[]>();
    if (entry && entry.diff.status !== 'Synced') {
      for (const a of forecastAnchors(editor.document.getText(), entry.drift, entry.diff, now)) perLine.set(a.line, [...(perLine.get(a.line) ?? []), forecastLabel(a.forecast, now)]);
    }
    const opts: vscode.DecorationOptions[] = [];
    for (const [line, texts] of perLine) {
      const l = Math.min(line - 1, editor.document.lineCount - 1);
      const end = editor.document.lineAt(l).range.end;
      opts.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `⟲ ${[...new Set(texts)].join(' · ')}` } } });
    }
    editor.setDecorations(this.forecastType, opts);
    this.applied.set(editor.document.uri.toString(), [...perLine].map(([line, texts]) => ({ line, text: [...new Set(texts)].join(' · '), liveOnly: false })));
  }

  /** The text of a workspace file: the open editor's (unsaved) text first. */
  private readText = (file: string): string | undefined => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open) return open.getText();
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };

  /** The resource's kustomize origin when known; asks for it once (then redraws what it touches) when not yet. */
  private originFor(entry: IndexedResource): CaptureOrigin | undefined {
    const known = this.origins.get(entry.diff);
    if (known !== undefined) return known ?? undefined;
    if (!this.originOf || entry.drift.app.sourceType !== 'kustomize' || entry.diff.status !== 'Modified') return undefined;
    this.origins.set(entry.diff, null);
    this.originOf(entry).then(
      (o) => {
        this.origins.set(entry.diff, o);
        if (o.kind !== 'kustomize') return;
        // Its setters are known now: add them and redraw the files they (and its own source) are in.
        const index = this.index();
        if (index.resource(locatorOf(entry)) !== entry) return; // its app changed meanwhile: that redraw asked again
        if (!this.setterFiles || this.setterFiles.index !== index || this.setterFiles.version !== index.version) return this.refresh();
        const files = new Set<string>(entry.diff.source ? [entry.diff.source.file] : []);
        this.addSetters(entry, files);
        this.redrawFiles(files, new Set());
      },
      () => undefined,
    );
    return undefined;
  }

  private item(entry: IndexedResource): ProvenanceItem {
    return { diff: entry.diff, app: entry.drift.app.name, origin: this.originFor(entry) };
  }

  /** Records the files that set `entry`'s drifted fields (not its own source) in the setter map; adds them to `touched`. */
  private addSetters(entry: IndexedResource, touched: Set<string>): void {
    const map = this.setterFiles!;
    const item = this.item(entry);
    if (item.origin?.kind !== 'kustomize') return;
    for (const setter of settersOf(item, this.readText)) {
      if (!setter || setter.file === entry.diff.source?.file) continue;
      const list = map.files.get(setter.file) ?? [];
      if (!list.includes(entry)) list.push(entry);
      map.files.set(setter.file, list);
      const ofApp = map.byApp.get(entry.drift) ?? new Set<string>();
      ofApp.add(setter.file);
      map.byApp.set(entry.drift, ofApp);
      touched.add(setter.file);
    }
  }

  /** Resources whose drifted fields are set in `file` by a kustomization entry or patch (not their own source). */
  private settingIn(file: string): IndexedResource[] {
    const index = this.index();
    if (this.setterFiles?.index !== index || this.setterFiles.version !== index.version) {
      this.setterFiles = { index, version: index.version, files: new Map(), byApp: new Map() };
      const none = new Set<string>();
      for (const entry of index.allResources()) this.addSetters(entry, none);
    }
    return this.setterFiles.files.get(file) ?? [];
  }

  private annotations(doc: vscode.TextDocument): { entry: IndexedResource; ann: ProvenanceAnnotation }[] {
    const file = doc.uri.fsPath;
    const entries = [...this.index().forFile(file), ...this.settingIn(file)];
    if (!entries.length) return [];
    const items = entries.map((e) => this.item(e));
    const entryOf = new Map(items.map((it, i) => [it, entries[i]]));
    // One parse of the document for all its resources.
    return annotateWithProvenance(file, doc.getText(), items, this.readText).map((ann) => ({ entry: entryOf.get(ann.item)!, ann }));
  }

  /**
   * After a new snapshot: redraw what it changed. A whole new snapshot, or files changed, redraws every visible
   * editor; a few changed apps (a watch event) redraw only the editors of files their resources come from or
   * whose lines set their fields, and the diff sides of their resources.
   */
  refresh(changes: SnapshotChanges = WHOLE): void {
    const index = this.index();
    const patchable = !framesChanged(changes) && !changes.filesChanged && (!this.setterFiles || this.setterFiles.index === index);
    if (!patchable) {
      this.setterFiles = undefined;
      for (const editor of vscode.window.visibleTextEditors) this.decorate(editor);
      this.codeLensChanged.fire();
      return;
    }
    if (!changes.apps.length) return;
    const files = new Set<string>();
    const refs = new Set<string>();
    const map = this.setterFiles;
    for (const ch of changes.apps) {
      for (const r of [...ch.before.resources, ...ch.after.resources]) {
        if (r.source) files.add(r.source.file);
        refs.add(`${ch.context}\u0000${refKey(r.ref)}`);
      }
      for (const f of map?.byApp.get(ch.before) ?? []) {
        files.add(f);
        const rest = (map!.files.get(f) ?? []).filter((e) => e.drift !== ch.before);
        if (rest.length) map!.files.set(f, rest);
        else map!.files.delete(f);
      }
      map?.byApp.delete(ch.before);
    }
    if (map) {
      for (const ch of changes.apps) for (const entry of index.appResources(ch.context, ch.after.app.id)) this.addSetters(entry, files);
      map.version = index.version;
    }
    this.redrawFiles(files, refs);
  }

  /** Redraws the visible editors of these files and the diff sides of these `context, refKey`s. */
  private redrawFiles(files: ReadonlySet<string>, refs: ReadonlySet<string>): void {
    let lenses = false;
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri;
      const side = uri.scheme === SCHEME ? parseSideUri(uri) : undefined;
      if ((uri.scheme === 'file' && files.has(uri.fsPath)) || (side && refs.has(`${side.context}\u0000${refKey(side.ref)}`))) {
        this.decorate(editor);
        lenses = true;
      }
    }
    if (lenses) this.codeLensChanged.fire();
  }

  decorate(editor: vscode.TextEditor): void {
    if (editor.document.uri.scheme === SCHEME) return this.decorateSide(editor);
    if (editor.document.uri.scheme !== 'file') return;
    const modified: vscode.DecorationOptions[] = [];
    const liveOnly: vscode.DecorationOptions[] = [];
    // One after-text per line: several changes on one ancestor line are joined.
    const perLine = new Map<number, { texts: string[]; liveOnly: boolean }>();
    const pointerLines = new Map<number, string[]>();
    for (const { ann } of this.annotations(editor.document)) {
      if (ann.pointer) {
        pointerLines.set(ann.line, [...(pointerLines.get(ann.line) ?? []), ann.text]);
        continue;
      }
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
    const pointers: vscode.DecorationOptions[] = [];
    for (const [line, texts] of pointerLines) {
      // A line that shows drift of another app keeps that; the pointer joins it as text only.
      if (perLine.has(line)) {
        perLine.get(line)!.texts.push(...texts.map((t) => `↪ ${t}`));
        continue;
      }
      const l = Math.min(line - 1, editor.document.lineCount - 1);
      const end = editor.document.lineAt(l).range.end;
      pointers.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: texts.map((t) => `↪ ${t}`).join(' · ') } } });
    }
    for (const [line, e] of perLine) {
      if (!e.texts.length) continue;
      const l = Math.min(line - 1, editor.document.lineCount - 1);
      const target = (e.liveOnly ? liveOnly : modified).find((o) => o.range.start.line === l);
      if (target) target.renderOptions = { after: { contentText: e.texts.join(' · ') } };
    }
    editor.setDecorations(this.modifiedType, modified);
    editor.setDecorations(this.liveOnlyType, liveOnly);
    editor.setDecorations(this.pointerType, pointers);
    this.applied.set(editor.document.uri.fsPath, [
      ...[...perLine].map(([line, e]) => ({ line, text: e.texts.join(' · '), liveOnly: e.liveOnly })),
      ...[...pointerLines].filter(([line]) => !perLine.has(line)).map(([line, texts]) => ({ line, text: texts.map((t) => `↪ ${t}`).join(' · '), liveOnly: false })),
    ]);
  }

  decorationsFor(uri: vscode.Uri): { line: number; text: string; liveOnly: boolean }[] {
    return this.applied.get(uri.scheme === SCHEME ? uri.toString() : uri.fsPath) ?? [];
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (doc.uri.scheme === SCHEME) return this.sideHover(doc, pos);
    const here = this.annotations(doc).filter(({ ann }) => ann.line - 1 === pos.line);
    if (!here.length) return undefined;
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = { enabledCommands: ['gitopsDrift.openDiff', 'gitopsDrift.captureLive', 'gitopsDrift.sync', 'gitopsDrift.reconcile'] };
    const now = new Date();
    const file = doc.uri.fsPath;
    for (const { entry, ann } of here) {
      const c = ann.change;
      md.appendMarkdown(`**GitOps Drift** · ${entry.diff.ref.kind} \`${entry.diff.ref.name}\` · app **${entry.drift.app.name}** · ${entry.context}\n\n`);
      md.appendMarkdown(`\`${c.path}\`${c.category === 'live-only' ? ' — *live-only edit, not in Git*' : ''}\n\n`);
      const setter = ann.setter;
      if (ann.pointer && setter) {
        const target = vscode.Uri.file(setter.file).with({ fragment: `L${setter.line}` });
        md.appendMarkdown(`Not this line: for **${entry.drift.app.name}** the effective desired value is \`${short(c.desired, 60)}\`, set in [${shortPath(setter.file, file)}:${setter.line}](${target.toString()}) (${setter.via === 'patch' ? 'a patch' : `\`${setter.via}:\``}). Live: \`${short(c.live, 60)}\`. Editing this base line changes every app that uses it.\n\n`);
        continue;
      }
      if (c.category !== 'live-only') {
        md.appendMarkdown(`Effective desired value for **${entry.drift.app.name}**: \`${short(c.desired, 60)}\`, set ${setter && setter.file === file ? `here (\`${setter.via === 'patch' ? 'patch' : setter.via + ':'}\` in this file)` : entry.diff.source?.file === file ? 'here' : 'elsewhere'}\n\n`);
      }
      md.appendMarkdown(`| Git | Live |\n|---|---|\n| \`${short(c.desired, 60)}\` | \`${short(c.live, 60)}\` |\n\n`);
      if (c.manager) md.appendMarkdown(`Changed live by **${c.manager}**${c.time ? `, ${relativeTime(c.time, now)} (${c.time})` : ''}\n\n`);
      const f = forecastChange(entry.drift, entry.diff, c, now);
      md.appendMarkdown(`${forecastIcon(f)} **${forecastLabel(f, now)}** — ${f.reason} *(${f.rule})*\n\n`);
    }
    const entry = here[0].entry;
    const loc = locatorOf(entry);
    const links = [commandLink('gitopsDrift.openDiff', loc, 'Show diff'), commandLink('gitopsDrift.captureLive', { ...loc, field: here[0].ann.change.path }, 'Capture live value')];
    if (entry.drift.state.controller === 'argo') links.push(commandLink('gitopsDrift.sync', { context: loc.context, appId: loc.appId }, 'Sync app'));
    // A suspended Kustomization cannot be reconciled (Flux refuses until it is resumed): no such link there.
    if (entry.drift.state.controller === 'flux' && !entry.drift.state.suspended) links.push(commandLink('gitopsDrift.reconcile', { context: loc.context, appId: loc.appId }, 'Reconcile'));
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
      lenses.push(new vscode.CodeLens(range, { title: `$(git-compare) ${what} · ${entry.drift.app.name} · ${entry.context}`, command: 'gitopsDrift.openDiff', arguments: [loc] }));
      // Fields whose effective value another file sets (an overlay of this shared base): point there.
      const item = this.item(entry);
      const elsewhere = new Map<string, { file: string; line: number; paths: string[] }>();
      settersOf(item, this.readText).forEach((st, i) => {
        if (!st || st.file === doc.uri.fsPath) return;
        const k = `${st.file}:${st.line}`;
        const e = elsewhere.get(k) ?? { file: st.file, line: st.line, paths: [] };
        e.paths.push(d.changes[i].path);
        elsewhere.set(k, e);
      });
      for (const e of elsewhere.values()) {
        const selection = new vscode.Range(e.line - 1, 0, e.line - 1, 0);
        lenses.push(new vscode.CodeLens(range, { title: `$(arrow-right) ${entry.drift.app.name}: ${e.paths.join(', ')} set in ${shortPath(e.file, doc.uri.fsPath)}:${e.line}`, command: 'vscode.open', arguments: [vscode.Uri.file(e.file), { selection }] }));
      }
      lenses.push(new vscode.CodeLens(range, { title: 'Show diff', command: 'gitopsDrift.openDiff', arguments: [loc] }));
      const fc = forecastDiff(entry.drift, d, new Date());
      const forecastTitle = lensTitle(fc.resource ? [fc.resource] : fc.changes, new Date());
      if (forecastTitle) lenses.push(new vscode.CodeLens(range, { title: forecastTitle, tooltip: (fc.resource ?? fc.changes[0]).reason, command: 'gitopsDrift.openDiff', arguments: [loc] }));
      if (d.status === 'Modified') lenses.push(new vscode.CodeLens(range, { title: 'Capture', command: 'gitopsDrift.captureLive', arguments: [loc] }));
      if (entry.drift.state.controller === 'argo') lenses.push(new vscode.CodeLens(range, { title: 'Sync', command: 'gitopsDrift.sync', arguments: [{ context: loc.context, appId: loc.appId }] }));
      if (entry.drift.state.controller === 'flux' && !entry.drift.state.suspended) lenses.push(new vscode.CodeLens(range, { title: 'Reconcile', command: 'gitopsDrift.reconcile', arguments: [{ context: loc.context, appId: loc.appId }] }));
    }
    return lenses;
  }

  dispose(): void {
    this.modifiedType.dispose();
    this.liveOnlyType.dispose();
    this.forecastType.dispose();
    this.pointerType.dispose();
    this.codeLensChanged.dispose();
  }
}
