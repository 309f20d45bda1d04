// The threatls extension: starts `threatls serve` and attaches it to the files threatls
// reads, and adds what an LSP client alone cannot show — the data-flow diagram, the attack
// paths view, a status bar of counts, and accepting a risk with a reason typed in.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DocumentSelector,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RequestType,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { errorPage, html } from './diagram';
import { countSeverities, isRange, Model, parseLoc, ProtocolRange, settingsOf, statusText, statusTooltip } from './model';
import { AttackPathsProvider } from './paths';
import { resolveServer, Restarts } from './server';

// The documents threatls reads. Languages, and file patterns too: in a VS Code without a
// Terraform extension a .tf file may be Plain Text; a pattern still selects it (one client
// syncs a document once, whichever selectors match it).
const selector: DocumentSelector = [
  { scheme: 'file', language: 'terraform' },
  { scheme: 'file', pattern: '**/*.tf' },
  { scheme: 'untitled', language: 'terraform' },
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', pattern: '**/*.{yaml,yml}' },
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile,*.dockerfile}' },
  { scheme: 'file', language: 'markdown' },
  { scheme: 'file', pattern: '**/*.{otm,otm.json,mmd,mermaid}' },
];

const modelRequest = new RequestType<{ uri?: string }, Model, void>('threatls/model');

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
const paths = new AttackPathsProvider();
let panel: vscode.WebviewPanel | undefined;
let selected: string | undefined;
let model: Model | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('threatls', { log: true });
  context.subscriptions.push(output);

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.name = 'threatls';
  status.command = 'threatls.showProblems';
  status.text = '$(shield) threatls';
  status.show();
  context.subscriptions.push(status);
  const updateStatus = () => {
    const all = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds);
    const c = countSeverities(all);
    status.text = statusText(c);
    status.tooltip = statusTooltip(c);
  };

  context.subscriptions.push(vscode.window.registerTreeDataProvider('threatls.attackPaths', paths));

  let timer: NodeJS.Timeout | undefined;
  context.subscriptions.push(vscode.languages.onDidChangeDiagnostics(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      updateStatus();
      void refreshModel();
    }, 400);
  }));

  const command = (id: string, f: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, f));
  command('threatls.scanWorkspace', scanWorkspace);
  command('threatls.showDiagram', (id?: string) => showDiagram(context, id));
  command('threatls.showElement', (id: string) => showElement(context, id));
  command('threatls.refreshAttackPaths', () => refreshModel());
  command('threatls.openReport', openReport);
  command('threatls.acceptRiskWithReason', acceptRiskWithReason);
  command('threatls.explainFinding', explainFinding);
  command('threatls.showProblems', () => vscode.commands.executeCommand('workbench.actions.view.problems'));
  command('threatls.restartServer', async () => {
    await stop();
    await start(context);
  });

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (e) => {
    if (e.affectsConfiguration('threatls.server')) {
      await stop();
      await start(context);
    } else if (e.affectsConfiguration('threatls') && client) {
      // The server pulls the section again (workspace/configuration).
      await client.sendNotification('workspace/didChangeConfiguration', { settings: null });
    }
  }));

  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('threatls');
  let resolved;
  try {
    resolved = resolveServer(cfg.get<string>('server.path', ''), context.extensionPath);
  } catch (e) {
    void vscode.window.showErrorMessage(String((e as Error).message), 'Open Settings').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.action.openSettings', 'threatls.server.path');
    });
    return;
  }
  output.appendLine(`threatls: starting ${resolved.command} (from ${resolved.from})`);
  const args = [...cfg.get<string[]>('server.extraArgs', []), 'serve'];
  const serverOptions: ServerOptions = { command: resolved.command, args, transport: TransportKind.stdio };
  const restarts = new Restarts(5, 3 * 60_000);
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    initializationOptions: settingsOf((k) => cfg.get(k)),
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        const r = restarts.crashed(Date.now());
        if (r.restart) {
          void vscode.window.showWarningMessage(`threatls: the server stopped unexpectedly; restarting it (${r.attempt} of 5 in 3 minutes).`);
          return { action: CloseAction.Restart, handled: true };
        }
        void vscode.window.showErrorMessage('threatls: the server crashed 5 times in 3 minutes and stays stopped. See the threatls output; run "threatls: Restart Server" to try again.', 'Show Output')
          .then((a) => a && output.show());
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    middleware: {
      // "Accept risk" from the server inserts a placeholder for the reason; here it asks for
      // the reason first, so the comment is complete.
      provideCodeActions: async (document, range, ctx, token, next) => {
        const actions = await next(document, range, ctx, token);
        return actions?.map((a) => {
          if (!(a instanceof vscode.CodeAction) || !a.title.startsWith('Accept risk') || !a.diagnostics?.length) return a;
          const d = a.diagnostics[0];
          const threat = codeOf(d);
          const fixed = new vscode.CodeAction(`Accept risk: threatls:ignore ${threat}… (type the reason)`, vscode.CodeActionKind.QuickFix);
          fixed.diagnostics = a.diagnostics;
          // The arguments cross from the extension host to the workbench and back as JSON, where
          // a vscode.Range loses its fields: they go as the protocol's plain range.
          const at = client?.code2ProtocolConverter.asRange(d.range);
          fixed.command = { title: fixed.title, command: 'threatls.acceptRiskWithReason', arguments: [document.uri.toString(), threat, at] };
          return fixed;
        });
      },
    },
  };
  client = new LanguageClient('threatls', 'threatls', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    const hint = resolved.from === 'PATH'
      ? 'threatls was not found on the PATH: install it (go install ./cmd/threatls) or set threatls.server.path.'
      : `check ${resolved.command}.`;
    void vscode.window.showErrorMessage(`threatls: the server did not start (${(e as Error).message}); ${hint}`);
    client = undefined;
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (e) {
      output.appendLine(`threatls: stopping: ${(e as Error).message}`);
    }
  }
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

async function exec<T>(cmd: string, arg?: unknown): Promise<T> {
  if (!client) throw new Error('the threatls server is not running');
  return client.sendRequest(ExecuteCommandRequest.type, { command: cmd, arguments: arg === undefined ? [] : [arg] }) as Promise<T>;
}

async function scanWorkspace(): Promise<void> {
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'threatls: scanning the workspace' },
    () => exec<{ files: number; findings: number }>('threatls.scan'));
  void vscode.window.showInformationMessage(`threatls: ${r.files} files, ${r.findings} findings.`);
}

async function openReport(): Promise<void> {
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  const r = await exec<{ content: string }>('threatls.report', { uri, format: 'text' });
  const doc = await vscode.workspace.openTextDocument({ content: r.content, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: false });
}

// pickDiagnostic returns the threatls diagnostic at the cursor, asking when there are several.
async function pickDiagnostic(): Promise<{ uri: vscode.Uri; d: vscode.Diagnostic } | undefined> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return undefined;
  const ds = vscode.languages.getDiagnostics(ed.document.uri)
    .filter((d) => d.source === 'threatls' && d.range.contains(ed.selection.active));
  if (ds.length === 0) {
    void vscode.window.showInformationMessage('threatls: no finding at the cursor.');
    return undefined;
  }
  if (ds.length === 1) return { uri: ed.document.uri, d: ds[0] };
  const pick = await vscode.window.showQuickPick(ds.map((d) => ({ label: codeOf(d), description: d.message, d })), { placeHolder: 'Which finding?' });
  return pick && { uri: ed.document.uri, d: pick.d };
}

// acceptRiskWithReason asks for the reason and has the server insert the comment. From the
// code action, the finding comes as its document, threat and range in the protocol's terms;
// from the command palette, it is the diagnostic at the cursor.
async function acceptRiskWithReason(uri?: string, threat?: string, range?: ProtocolRange): Promise<void> {
  if (!client) return;
  if (!uri || !threat || !isRange(range)) {
    const p = await pickDiagnostic();
    if (!p) return;
    [uri, threat, range] = [p.uri.toString(), codeOf(p.d), client.code2ProtocolConverter.asRange(p.d.range)];
  }
  const reason = await vscode.window.showInputBox({
    title: `Accept the risk of ${threat}`,
    prompt: 'Why is this risk accepted? The reason is written in the threatls:ignore comment, in the repository.',
    placeHolder: 'e.g. test fixture, never deployed',
    validateInput: (v) => (v.trim() === '' ? 'A suppression without a reason suppresses nothing.' : undefined),
  });
  if (!reason) return;
  const r = await exec<{ applied: boolean; failureReason?: string }>('threatls.acceptRisk', {
    uri, threat, range, reason,
  });
  if (!r.applied) void vscode.window.showWarningMessage(`threatls: the comment was not inserted${r.failureReason ? `: ${r.failureReason}` : ''}.`);
}

async function explainFinding(): Promise<void> {
  if (!client) return;
  const p = await pickDiagnostic();
  if (!p) return;
  const r = await exec<{ markdown: string }>('threatls.explain', {
    uri: p.uri.toString(), threat: codeOf(p.d), range: client.code2ProtocolConverter.asRange(p.d.range),
  });
  const doc = await vscode.workspace.openTextDocument({ content: r.markdown, language: 'markdown' });
  await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
}

async function fetchModel(): Promise<Model | undefined> {
  if (!client) return undefined;
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  return client.sendRequest(modelRequest, { uri });
}

async function refreshModel(): Promise<void> {
  try {
    model = await fetchModel();
  } catch (e) {
    const msg = (e as Error).message;
    output.appendLine(`threatls: threatls/model: ${msg}`);
    if (panel) panel.webview.html = errorPage(msg, panel.webview.cspSource);
    return;
  }
  paths.set(model, paths.getFocus());
  renderDiagram();
}

async function showElement(context: vscode.ExtensionContext, id: string): Promise<void> {
  selected = id;
  await refreshModel();
  paths.set(model, id);
  await vscode.commands.executeCommand('threatls.attackPaths.focus');
  await showDiagram(context, id);
}

async function showDiagram(context: vscode.ExtensionContext, id?: string): Promise<void> {
  if (id) selected = id;
  if (!panel) {
    panel = vscode.window.createWebviewPanel('threatls.diagram', 'threatls: Data-Flow Diagram', vscode.ViewColumn.Beside, { enableScripts: true });
    panel.onDidDispose(() => (panel = undefined), undefined, context.subscriptions);
    panel.webview.onDidReceiveMessage(async (msg: { type: string; id: string }) => {
      if (msg.type !== 'select') return;
      selected = msg.id;
      paths.set(model, msg.id);
      renderDiagram();
      await openSource(msg.id);
    }, undefined, context.subscriptions);
  } else {
    panel.reveal(undefined, true);
  }
  await refreshModel();
}

function renderDiagram(): void {
  if (!panel || !model) return;
  const nonce = crypto.randomBytes(16).toString('base64');
  panel.webview.html = html(model, selected, nonce, panel.webview.cspSource);
}

async function openSource(id: string): Promise<void> {
  const el = model?.elements.find((e) => e.id === id);
  const loc = parseLoc(el?.sources[0]);
  if (!model || !loc) return;
  const pos = new vscode.Position(loc.line, loc.character);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(model.root, loc.file)),
    { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}
