// Which resource the user is looking at (issue 17.16), for commands run from the palette: the resource of the
// active Git ↔ live diff or live document, or the manifest under the cursor in a source file. Only when that is
// unambiguous: one resource of one app (a shared base rendered by two apps is not). Pure, without vscode.
import { refKey, type ObjectRef } from '../core/model';
import type { IndexedResource } from './driftIndex';

/** The resources whose source document spans `line` (1-based) of the file. */
export function resourcesAtLine(inFile: readonly IndexedResource[], line: number): IndexedResource[] {
  return inFile.filter((r) => r.diff.source && r.diff.source.startLine <= line && line <= r.diff.source.endLine);
}

/** The resources that are `ref` in `context` (the app's context, or the live context for a live document). */
export function resourcesOfRef(all: readonly IndexedResource[], context: string, ref: ObjectRef, live: boolean): IndexedResource[] {
  const key = refKey(ref);
  return all.filter((r) => (live ? (r.drift.liveContext ?? r.context) : r.context) === context && refKey(r.diff.ref) === key);
}

/** The one candidate, or undefined when there are none or several (different apps or contexts). */
export function unambiguous(candidates: IndexedResource[]): IndexedResource | undefined {
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The text a resource quick pick matches on: kind, name, namespace, app and context. */
export function resourcePickItem(r: IndexedResource): { label: string; description: string } {
  return { label: `${r.diff.ref.kind} ${r.diff.ref.name}`, description: `${r.diff.ref.namespace || '(cluster)'} · app ${r.drift.app.name} · ${r.context}` };
}
