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
  /** The node objects handed to VS Code, by id: it finds tree items by element identity. */
  private shown = new Map<string, DriftNode>();
  /** The description each shown row was last drawn with (to redraw relative times that moved on). */
  private described = new Map<string, string | undefined>();

  constructor(private readonly model: DriftTreeModel) {}

  /** Refreshes what changed since the last refresh: the nodes the model names, else the whole tree. */
  refresh(): void {
    const nodes = this.model.takeChanges();
    if (!nodes) {
      this.parents.clear();
      this.shown.clear();
      this.described.clear();
      this.changed.fire(undefined);
      return;
    }
    for (const n of nodes) {
      // Only rows VS Code has: the others are read fresh (model.fresh) when their parent is expanded.
      const shown = this.shown.get(n.id);
      if (!shown) continue;
      Object.assign(shown, n);
      this.changed.fire(shown);
    }
  }

  /** Redraws the rows whose relative times ("12 s ago") read differently now; returns how many. */
  tick(): number {
    const stale = this.model.staleTimes([...this.shown.values()].map((node) => ({ node, description: this.described.get(node.id) })));
    for (const n of stale) this.changed.fire(n);
    return stale.length;
  }

  getChildren(node?: DriftNode): DriftNode[] {
    const current = node && (this.model.fresh(node) ?? node);
    const children = current ? this.model.children(current) : this.model.roots();
    if (node) for (const c of children) this.parents.set(c.id, node);
    for (const c of children) this.shown.set(c.id, c);
    return children;
  }

  getParent(node: DriftNode): DriftNode | undefined {
    return this.parents.get(node.id) ?? this.model.parent(node);
  }

  getTreeItem(node: DriftNode): vscode.TreeItem {
    const p = this.model.present(this.model.fresh(node) ?? node);
    const item = new vscode.TreeItem(p.label, COLLAPSE[p.collapsible]);
    item.id = node.id;
    item.description = p.description;
    this.described.set(node.id, p.description);
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
