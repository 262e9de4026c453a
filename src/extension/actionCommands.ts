// Commands that change things: capture into Git, Argo CD / Flux controls and breakglass.
import * as vscode from 'vscode';
import type { CommandId } from './commandIds';
import type { DriftSession } from './driftSession';

export interface ActionDeps {
  session: DriftSession;
  log: vscode.LogOutputChannel;
  context: vscode.ExtensionContext;
}

type ActionId = Exclude<CommandId, 'gitopsDrift.refresh' | 'gitopsDrift.selectContexts' | 'gitopsDrift.toggleDriftedOnly' | 'gitopsDrift.findResource' | 'gitopsDrift.filterNamespace' | 'gitopsDrift.openDiff' | 'gitopsDrift.openLive' | 'gitopsDrift.revealSource' | 'gitopsDrift.showOutput'>;

export function createActionCommands(_deps: ActionDeps): Record<ActionId, (...args: any[]) => unknown> {
  const pending = (name: string) => () => vscode.window.showWarningMessage(`${name} is being wired up.`);
  return {
    'gitopsDrift.captureLive': pending('Capture'),
    'gitopsDrift.sync': pending('Sync'),
    'gitopsDrift.syncResource': pending('Sync'),
    'gitopsDrift.refreshApp': pending('Refresh'),
    'gitopsDrift.hardRefreshApp': pending('Hard refresh'),
    'gitopsDrift.terminateOperation': pending('Terminate'),
    'gitopsDrift.pauseAutoSync': pending('Pause'),
    'gitopsDrift.resumeAutoSync': pending('Resume'),
    'gitopsDrift.skipReconcileOn': pending('Skip reconcile'),
    'gitopsDrift.skipReconcileOff': pending('Skip reconcile'),
    'gitopsDrift.reconcile': pending('Reconcile'),
    'gitopsDrift.reconcileWithSource': pending('Reconcile'),
    'gitopsDrift.suspend': pending('Suspend'),
    'gitopsDrift.resume': pending('Resume'),
    'gitopsDrift.breakglassStart': pending('Breakglass'),
    'gitopsDrift.breakglassEnd': pending('Breakglass'),
  };
}
