// Status bar: selected context(s), drift count, production warning colour and an active breakglass.
import * as vscode from 'vscode';
import { isProductionContext } from '../core/control/production';
import type { DriftIndex } from './driftIndex';
import { relativeTime } from './tree/driftTreeModel';


export class DriftStatusBar {
  private readonly item = vscode.window.createStatusBarItem('gitopsDrift.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'GitOps Drift';
    this.item.command = 'gitopsDrift.drift.focus';
  }

  update(contexts: string[], index: DriftIndex | undefined, productionPattern: string, busy: boolean): void {
    if (!contexts.length) {
      this.item.text = '$(server-environment) GitOps: no context';
      this.item.tooltip = 'Select kubeconfig contexts to compare with this workspace';
      this.item.command = 'gitopsDrift.selectContexts';
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    this.item.command = 'gitopsDrift.drift.focus';
    const drifted = index?.driftedCount() ?? 0;
    const prod = contexts.some((c) => isProductionContext(c, productionPattern));
    const now = new Date();
    const glass = index?.allApps().filter((a) => a.drift.state.breakglass?.active) ?? [];
    const parts = [busy ? '$(sync~spin)' : prod ? '$(warning)' : '$(server-environment)', contexts.join(', ')];
    parts.push(drifted ? `· ${drifted} drifted` : index ? '· in sync' : '');
    if (glass.length) {
      const b = glass[0].drift.state.breakglass!;
      const reason = b.reason && b.reason.length > 40 ? `${b.reason.slice(0, 39)}…` : b.reason;
      parts.push(`· $(flame) ${glass[0].drift.app.name} paused ${relativeTime(b.started, now).replace(' ago', '')} by ${b.user ?? '?'}${reason ? ` — ${reason}` : ''}${b.expired ? ' (EXPIRED)' : ''}`);
    }
    this.item.text = parts.filter(Boolean).join(' ');
    const tip = new vscode.MarkdownString(`**GitOps Drift**  \nContexts: ${contexts.join(', ')}${prod ? '  \n$(warning) production context' : ''}  \n${drifted} drifted resource(s)`, true);
    for (const g of glass) {
      const b = g.drift.state.breakglass!;
      tip.appendMarkdown(`  \n$(flame) Breakglass on **${g.drift.app.name}** by ${b.user ?? '?'} — ${b.reason ?? ''}${b.ticket ? ` (${b.ticket})` : ''}, expires ${b.expires ?? '?'}${b.expired ? ' — **expired**' : ''}`);
    }
    this.item.tooltip = tip;
    this.item.backgroundColor = prod || glass.some((g) => g.drift.state.breakglass?.expired) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
