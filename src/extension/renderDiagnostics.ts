// Problems panel entries for manifests that fail to parse or render, at the line the error names.
import * as vscode from 'vscode';
import type { DriftSnapshot } from '../core/engine/driftTypes';

export class RenderDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('gitops-drift');

  update(snapshot: DriftSnapshot | undefined): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const seen = new Set<string>();
    for (const c of snapshot?.clusters ?? []) {
      for (const a of c.apps) {
        for (const e of a.errors) {
          const file = e.details?.file;
          if (!file || !/\.(ya?ml|json)$/i.test(file) || !(e.reason === 'parse' || e.reason === 'render' || e.reason === 'invalid')) continue;
          const line = Math.max(0, (e.details?.line ?? 1) - 1);
          const key = `${file}:${line}:${e.message}`;
          if (seen.has(key)) continue; // the same file can belong to several apps and clusters
          seen.add(key);
          const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), `${e.message} (app ${a.app.name})`, vscode.DiagnosticSeverity.Error);
          d.source = 'GitOps Drift';
          const list = byFile.get(file) ?? [];
          list.push(d);
          byFile.set(file, list);
        }
      }
    }
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }
}
