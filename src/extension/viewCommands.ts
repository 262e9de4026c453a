// Commands that look at drift: refresh, contexts, filters, diff editors, live objects and sources.
import * as vscode from 'vscode';
import type { AppDrift } from '../core/engine/driftTypes';
import type { ObjectRef } from '../core/model';
import { parseSideUri, SCHEME as SIDE_SCHEME, sideUri } from './diffDocuments';
import { LIVE_SCHEME, liveUri, parseLiveUri } from './liveFileSystem';
import { resourcePickItem, resourcesAtLine, resourcesOfRef, unambiguous } from './resourceInView';
import type { DriftSession } from './driftSession';
import type { IndexedResource, ResourceLocator } from './driftIndex';
import { locatorOf } from './driftIndex';
import type { DriftNode, DriftTreeModel } from './tree/driftTreeModel';
import { resourceStateLabel } from './tree/driftTreeModel';

export interface AppLocator {
  context: string;
  appId: string;
}

/** Resolves what a command was invoked on: a tree node, a locator from a hover/CodeLens link, or nothing. */
export function resourceFromArg(session: DriftSession, arg: unknown): IndexedResource | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Partial<DriftNode> & Partial<ResourceLocator>;
  if (a.type === 'resource') {
    const n = arg as Extract<DriftNode, { type: 'resource' }>;
    return session.index.resource({ context: n.context, appId: n.drift.app.id, ref: n.diff.ref }) ?? { context: n.context, drift: n.drift, diff: n.diff };
  }
  if (a.context && a.ref) return session.index.resource({ context: a.context, appId: a.appId ?? '*', ref: a.ref });
  return undefined;
}

export function appFromArg(session: DriftSession, arg: unknown): { context: string; drift: AppDrift } | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Partial<DriftNode> & Partial<AppLocator>;
  if (a.type === 'app' || a.type === 'resource' || a.type === 'kind') {
    const n = arg as Extract<DriftNode, { type: 'app' }>;
    return session.index.app(n.context, n.drift.app.id) ?? { context: n.context, drift: n.drift };
  }
  if (a.context && a.appId) return session.index.app(a.context, a.appId);
  return undefined;
}

/**
 * The resource the user is looking at, when unambiguous (issue 17.16): the one of the active Git ↔ live diff or live
 * document, else the manifest under the cursor in a source file (one resource of one app).
 */
export function resourceInView(session: DriftSession, editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor): IndexedResource | undefined {
  if (!editor) return undefined;
  const uri = editor.document.uri;
  const all = () => session.index.allResources();
  if (uri.scheme === SIDE_SCHEME) {
    const side = parseSideUri(uri);
    return side && unambiguous(resourcesOfRef(all(), side.context, side.ref, false));
  }
  if (uri.scheme === LIVE_SCHEME) {
    try {
      const live = parseLiveUri(uri);
      return unambiguous(resourcesOfRef(all(), live.context, live.ref, true));
    } catch {
      return undefined;
    }
  }
  if (uri.scheme !== 'file') return undefined;
  return unambiguous(resourcesAtLine(session.index.forFile(uri.fsPath), editor.selection.active.line + 1));
}

export async function pickResource(session: DriftSession, opts: { driftedOnly?: boolean; title?: string } = {}): Promise<IndexedResource | undefined> {
  const all = session.index.allResources().filter((r) => !opts.driftedOnly || r.diff.status !== 'Synced');
  if (!all.length) {
    void vscode.window.showInformationMessage(opts.driftedOnly ? 'No drifted resources.' : 'No resources: select a context and refresh.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((r) => ({ ...resourcePickItem(r), detail: resourceStateLabel(r.diff), r })),
    { title: opts.title ?? 'Pick a resource', placeHolder: 'Type a kind, name, namespace or app', matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.r;
}

export async function pickApp(session: DriftSession, filter: (a: AppDrift) => boolean, title: string): Promise<{ context: string; drift: AppDrift } | undefined> {
  const apps = session.index.allApps().filter((a) => filter(a.drift));
  if (!apps.length) {
    void vscode.window.showInformationMessage('No matching apps in the selected clusters.');
    return undefined;
  }
  if (apps.length === 1) return apps[0];
  const pick = await vscode.window.showQuickPick(
    apps.map((a) => ({ label: a.drift.app.name, description: `${a.drift.app.namespace ?? ''} · ${a.context}`, detail: [a.drift.state.sync, a.drift.state.health].filter(Boolean).join(' · '), a })),
    { title, matchOnDescription: true },
  );
  return pick?.a;
}

export function refLabel(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export async function openDiff(session: DriftSession, arg: unknown): Promise<void> {
  const r = resourceFromArg(session, arg) ?? (arg === undefined ? resourceInView(session) : undefined) ?? (await pickResource(session, { title: 'Show diff for…' }));
  if (!r) return;
  const left = sideUri('desired', r.context, r.diff.ref);
  const right = sideUri('live', r.context, r.diff.ref);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${r.diff.ref.name} · Git ↔ live · ${r.context}`, { preview: true });
}

export async function openLive(session: DriftSession, arg: unknown): Promise<void> {
  const r = resourceFromArg(session, arg) ?? (arg === undefined ? resourceInView(session) : undefined) ?? (await pickResource(session, { title: 'Open live object…' }));
  if (!r) return;
  if (r.diff.status === 'MissingLive') {
    void vscode.window.showInformationMessage(`${refLabel(r.diff.ref)} does not exist in ${r.context}.`);
    return;
  }
  // Editable: saving applies the edited fields live (see liveFileSystem.ts).
  const doc = await vscode.workspace.openTextDocument(liveUri(r.drift.liveContext ?? r.context, r.diff.ref));
  if (doc.languageId !== 'yaml') await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
  await vscode.window.showTextDocument(doc, { preview: false });
}

export async function revealSource(session: DriftSession, arg: unknown): Promise<void> {
  const r = resourceFromArg(session, arg) ?? (arg === undefined ? resourceInView(session) : undefined) ?? (await pickResource(session, { title: 'Reveal source of…' }));
  if (!r) return;
  if (!r.diff.source) {
    void vscode.window.showInformationMessage(`${refLabel(r.diff.ref)} has no source file in the workspace (generated, from a chart, or only live).`);
    return;
  }
  const line = Math.max(0, r.diff.source.startLine - 1);
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(r.diff.source.file), { selection: new vscode.Range(line, 0, line, 0) });
  editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
}

export async function selectContexts(session: DriftSession): Promise<void> {
  let available: { contexts: string[]; current: string };
  try {
    available = session.availableContexts();
  } catch (e) {
    void vscode.window.showErrorMessage((e as Error).message);
    return;
  }
  const chosen = new Set(session.contexts());
  const picks = await vscode.window.showQuickPick(
    available.contexts.map((c) => ({ label: c, description: c === available.current ? 'current-context' : undefined, picked: chosen.has(c) })),
    { canPickMany: true, title: 'Kubeconfig contexts to compare with this workspace (the kubeconfig is not changed)' },
  );
  if (!picks) return;
  await session.setContexts(picks.map((p) => p.label));
}

export async function findResource(session: DriftSession, tree: vscode.TreeView<DriftNode>, model: DriftTreeModel): Promise<void> {
  const r = await pickResource(session, { title: 'Find resource by name' });
  if (!r) return;
  const node = model.allResources().find((n) => n.context === r.context && n.drift.app.id === r.drift.app.id && n.diff.ref.kind === r.diff.ref.kind && n.diff.ref.name === r.diff.ref.name && n.diff.ref.namespace === r.diff.ref.namespace);
  if (node) await tree.reveal(node, { select: true, focus: true, expand: true });
  await openDiff(session, locatorOf(r));
}

export async function filterNamespace(session: DriftSession, model: DriftTreeModel): Promise<void> {
  const namespaces = [...new Set(session.index.allResources().map((r) => r.diff.ref.namespace).filter(Boolean))].sort();
  const pick = await vscode.window.showQuickPick([{ label: '$(clear-all) All namespaces', ns: undefined as string | undefined }, ...namespaces.map((ns) => ({ label: ns, ns }))], { title: 'Show resources of namespace' });
  if (!pick) return;
  model.update(session.snapshot, { ...model.currentFilter, namespace: pick.ns });
}
