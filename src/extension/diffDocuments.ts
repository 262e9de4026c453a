// Read-only virtual documents for the two sides of a drift diff and for raw live objects.
// URI: gitops-drift:/<side>/<context>/<group|_core>/<kind>/<namespace|_>/<name>.yaml, side = desired | live.
// (Live objects to edit are served by liveFileSystem.ts.)
import * as vscode from 'vscode';
import type { ObjectRef } from '../core/model';

export const SCHEME = 'gitops-drift';
export type Side = 'desired' | 'live';

export function sideUri(side: Side, context: string, ref: ObjectRef): vscode.Uri {
  const parts = [side, context, ref.group || '_core', ref.kind, ref.namespace || '_', `${ref.name}.yaml`].map(encodeURIComponent);
  return vscode.Uri.from({ scheme: SCHEME, path: '/' + parts.join('/') });
}

export function parseSideUri(uri: vscode.Uri): { side: Side; context: string; ref: ObjectRef } | undefined {
  const parts = uri.path.split('/').slice(1).map(decodeURIComponent);
  if (parts.length !== 6) return undefined;
  const [side, context, group, kind, namespace, file] = parts;
  if (side !== 'desired' && side !== 'live') return undefined;
  return { side, context, ref: { group: group === '_core' ? '' : group, kind, namespace: namespace === '_' ? '' : namespace, name: file.replace(/\.yaml$/, '') } };
}

export interface SideContentSource {
  /** YAML text of one side, or undefined when the object is unknown. */
  sideText(side: Side, context: string, ref: ObjectRef, token: vscode.CancellationToken): Promise<string | undefined>;
}

export class DiffDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly source: SideContentSource) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const p = parseSideUri(uri);
    if (!p) return '# Not a GitOps Drift document\n';
    const text = await this.source.sideText(p.side, p.context, p.ref, token);
    if (text === undefined) return `# ${p.ref.kind} ${p.ref.name}: not found on the ${p.side === 'desired' ? 'Git' : 'live'} side\n`;
    return text;
  }

  /** Re-read the open side documents (after a new drift snapshot): all, or those of the resources `affected` names. */
  refreshOpen(affected?: (context: string, ref: ObjectRef) => boolean): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== SCHEME) continue;
      const p = affected && parseSideUri(doc.uri);
      if (!affected || !p || affected(p.context, p.ref)) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
