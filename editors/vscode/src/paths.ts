// The attack paths view: path → hops → the source locations of each hop's flow.
import * as path from 'node:path';
import * as vscode from 'vscode';

import { AttackPath, Hop, Model, parseLoc } from './model';

type Node =
  | { kind: 'path'; path: AttackPath }
  | { kind: 'hop'; hop: Hop; index: number }
  | { kind: 'loc'; loc: string; label: string };

export class AttackPathsProvider implements vscode.TreeDataProvider<Node> {
  private model: Model | undefined;
  private focus: string | undefined; // an element: only the paths through it
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  set(model: Model | undefined, focus?: string): void {
    this.model = model;
    this.focus = focus;
    this.changed.fire(undefined);
  }

  getFocus(): string | undefined {
    return this.focus;
  }

  private name(id: string): string {
    return this.model?.elements.find((e) => e.id === id)?.name ?? id;
  }

  getChildren(n?: Node): Node[] {
    const m = this.model;
    if (!m) return [];
    if (!n) {
      let ps = m.paths;
      if (this.focus) {
        const id = this.focus;
        ps = ps.filter((p) => p.entry === id || p.asset === id || p.hops.some((h) => h.from === id || h.to === id));
      }
      return ps.map((p) => ({ kind: 'path', path: p }));
    }
    if (n.kind === 'path') {
      const hops: Node[] = n.path.hops.map((hop, index) => ({ kind: 'hop', hop, index }));
      if (n.path.source) hops.push({ kind: 'loc', loc: n.path.source, label: `asset: ${this.name(n.path.asset)} holds ${n.path.classification} data` });
      return hops;
    }
    if (n.kind === 'hop') {
      const flow = m.flows.find((f) => f.id === n.hop.flow);
      const locs = flow?.sources.length ? flow.sources : [n.hop.source];
      return locs.filter(Boolean).map((loc) => ({ kind: 'loc', loc, label: loc }));
    }
    return [];
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'path': {
        const item = new vscode.TreeItem(n.path.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `risk ${n.path.risk} · ${n.path.classification}`;
        item.tooltip = `missing: ${n.path.missing_controls.join(', ') || 'nothing'}`;
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
      case 'hop': {
        const item = new vscode.TreeItem(`hop ${n.index + 1}: ${this.name(n.hop.from)} → ${this.name(n.hop.to)}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = n.hop.missing.length ? `no ${n.hop.missing.join(', no ')}` : '';
        item.command = this.open(n.hop.source);
        return item;
      }
      case 'loc': {
        const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        item.command = this.open(n.loc);
        return item;
      }
    }
  }

  private open(loc: string): vscode.Command | undefined {
    const l = parseLoc(loc);
    if (!l || !this.model) return undefined;
    const uri = vscode.Uri.file(path.join(this.model.root, l.file));
    const pos = new vscode.Position(l.line, l.character);
    return { title: 'Open', command: 'vscode.open', arguments: [uri, { selection: new vscode.Range(pos, pos) }] };
  }
}
