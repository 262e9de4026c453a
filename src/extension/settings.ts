// Typed view of the `gitopsDrift.*` settings declared in package.json.
import * as vscode from 'vscode';

export interface Settings {
  kubeconfig: string[];
  contexts: string[];
  kustomizePath: string;
  helmPath: string;
  productionContextPattern: string;
  humanFieldManagers: string[];
  watch: boolean;
  diffMode: 'offline' | 'server-side';
  captureBranchPattern: string;
  breakglassDefaultExpiry: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('gitopsDrift', scope);
  return {
    kubeconfig: c.get<string[]>('kubeconfig', []),
    contexts: c.get<string[]>('contexts', []),
    kustomizePath: c.get<string>('kustomizePath', ''),
    helmPath: c.get<string>('helmPath', ''),
    productionContextPattern: c.get<string>('productionContextPattern', 'prod'),
    // Saves from the editor's live documents are human edits too.
    humanFieldManagers: [...c.get<string[]>('humanFieldManagers', []), 'gitops-drift-breakglass'],
    watch: c.get<boolean>('watch', true),
    diffMode: c.get<'offline' | 'server-side'>('diffMode', 'offline'),
    captureBranchPattern: c.get<string>('captureBranchPattern', 'breakglass/<app>-<kind>-<name>-<yyyymmdd-hhmm>'),
    breakglassDefaultExpiry: c.get<string>('breakglassDefaultExpiry', '1h'),
  };
}
