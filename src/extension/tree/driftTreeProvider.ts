// Maps DriftTreeModel nodes onto VS Code TreeItems; children are computed lazily by the model.
import * as vscode from 'vscode';
import type { DriftNode, DriftTreeModel } from './driftTreeModel';

const COLLAPSE: Record<'none' | 'collapsed' | 'expanded', vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export class DriftTreeProvider implements vscode.TreeDataProvider<DriftNode> {
  private readonly changed = new vscode.EventEmitter<DriftNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private parents = new Map<string, DriftNode>();

  constructor(private readonly model: DriftTreeModel) {}

  refresh(): void {
    this.parents.clear();
    this.changed.fire(undefined);
  }

  getChildren(node?: DriftNode): DriftNode[] {
    const children = node ? this.model.children(node) : this.model.roots();
    if (node) for (const c of children) this.parents.set(c.id, node);
    return children;
  }

  getParent(node: DriftNode): DriftNode | undefined {
    return this.parents.get(node.id) ?? this.model.parent(node);
  }

  getTreeItem(node: DriftNode): vscode.TreeItem {
    const p = this.model.present(node);
    const item = new vscode.TreeItem(p.label, COLLAPSE[p.collapsible]);
    item.id = node.id;
    item.description = p.description;
    if (p.tooltip) {
      const md = new vscode.MarkdownString(p.tooltip, true);
      md.isTrusted = false;
      item.tooltip = md;
    }
    item.iconPath = new vscode.ThemeIcon(p.icon.id, p.icon.color ? new vscode.ThemeColor(p.icon.color) : undefined);
    item.contextValue = p.contextValue;
    if (node.type === 'resource') {
      item.command = { command: 'gitopsDrift.openDiff', title: 'Show Diff', arguments: [node] };
      item.resourceUri = undefined;
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
