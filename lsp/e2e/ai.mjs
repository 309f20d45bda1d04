// The scripted, VS Code-like client's AI session (ai_test.go runs it): with AI turned on in
// the settings and pointed at the test's fake OpenAI-compatible endpoint, it picks "Explain
// and fix with AI" for AWS-RDS-002, resolves it (codeAction/resolve, with work-done progress),
// checks the enriched text and the verified edit, applies the edit and waits for the
// diagnostic to go, opens the explanation (workspace/executeCommand → window/showDocument),
// then times diagnostics while another AI request hangs at the endpoint, and cancels it.
//
//   node ai.mjs <threatls binary> <workspace dir> <server log file> <endpoint base URL>
//
// The endpoint hangs for requests about AWS-SG-001 and answers the others. OPENAI_API_KEY
// comes from the environment, as it would for a user.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  CancellationTokenSource,
  CodeActionRequest,
  CodeActionResolveRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ResponseError,
  ShowDocumentRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';

const [binary, workspaceArg, serverLog, endpoint] = process.argv.slice(2);
if (!binary || !workspaceArg || !serverLog || !endpoint) {
  console.error('usage: node ai.mjs <threatls binary> <workspace dir> <server log file> <endpoint base URL>');
  process.exit(2);
}
const workspace = path.resolve(workspaceArg);
const WAIT_MS = 10_000;

let step = 'start';
const bus = new EventEmitter();
bus.setMaxListeners(100);
let server;
let exiting = false;

function fail(err) {
  console.error(`FAIL in step "${step}": ${err?.message ?? err}`);
  if (err?.stack && !(err instanceof assert.AssertionError)) console.error(err.stack);
  try {
    server?.kill('SIGKILL');
  } catch {}
  process.exit(1);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
setTimeout(() => fail(new Error('the session did not finish within 30 s')), 30_000).unref();

function begin(name) {
  step = name;
  console.log(`step: ${name}`);
}

function waitFor(what, cond, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      bus.off('event', test);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const test = () => {
      const v = cond();
      if (v) {
        clearTimeout(timer);
        bus.off('event', test);
        resolve(v);
      }
    };
    bus.on('event', test);
    test();
  });
}

// Text in UTF-16, as the LSP counts it.
function offsetAt(text, pos) {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < pos.line; i++) off += lines[i].length + 1;
  return off + pos.character;
}

function applyEdits(text, edits) {
  const sorted = edits
    .map((e) => ({ e, start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end) }))
    .sort((a, b) => b.start - a.start);
  const changes = [];
  for (const { e, start, end } of sorted) {
    text = text.slice(0, start) + e.newText + text.slice(end);
    changes.push({ range: e.range, text: e.newText });
  }
  return { text, changes };
}

server = spawn(binary, ['serve', '--log-file', serverLog, '--log-level', 'debug'], { cwd: workspace, stdio: ['pipe', 'pipe', 'inherit'] });
server.on('exit', (code, signal) => {
  if (!exiting) fail(new Error(`the server exited: code ${code}, signal ${signal}`));
});
const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));

const published = [];
const progress = new Map(); // token -> [values]
const shown = [];
conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
  published.push({ at: performance.now(), ...p });
  bus.emit('event');
});
conn.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
  progress.set(String(p.token), []);
  conn.onProgress(WorkDoneProgress.type, p.token, (v) => {
    progress.get(String(p.token)).push(v);
    bus.emit('event');
  });
  return null;
});
conn.onRequest(RegistrationRequest.type, () => null);
conn.onRequest(ShowDocumentRequest.type, (p) => {
  shown.push(p);
  bus.emit('event');
  return { success: true };
});
conn.listen();

const mainURI = pathToFileURL(path.join(workspace, 'main.tf')).href;
let text = readFileSync(path.join(workspace, 'main.tf'), 'utf8');
let version = 1;

function latest(uri, v) {
  for (let i = published.length - 1; i >= 0; i--) {
    if (published[i].uri === uri && published[i].version === v) return published[i];
  }
  return null;
}

async function change(changes, newText) {
  version++;
  text = newText;
  const v = version;
  const start = performance.now();
  await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: mainURI, version: v }, contentChanges: changes });
  const p = await waitFor(`diagnostics of version ${v}`, () => latest(mainURI, v));
  return { p, ms: p.at - start };
}

async function actionsFor(code) {
  const p = latest(mainURI, version);
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} diagnostic in version ${version}: ${p.diagnostics.map((x) => x.code)}`);
  const actions = await conn.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: mainURI }, range: d.range, context: { diagnostics: [d] } });
  return actions;
}

begin('initialize with AI on');
const init = await conn.sendRequest(InitializeRequest.type, {
  processId: process.pid,
  rootUri: pathToFileURL(workspace).href,
  capabilities: {
    window: { workDoneProgress: true, showDocument: { support: true } },
    textDocument: { codeAction: { dataSupport: true, resolveSupport: { properties: ['edit'] },
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } },
  },
  initializationOptions: { threatls: { ai: { enabled: true, baseURL: endpoint, model: 'test-model', cacheDir: path.join(workspace, '..', 'ai-cache') } } },
});
assert.equal(init.capabilities.codeActionProvider?.resolveProvider, true, 'codeAction resolve is not advertised');
assert.ok(init.capabilities.executeCommandProvider?.commands?.includes('threatls.showRemediation'), 'the commands are not advertised');
await conn.sendNotification(InitializedNotification.type, {});
await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: mainURI, languageId: 'terraform', version, text } });
await waitFor('diagnostics of version 1 with AWS-RDS-002', () => latest(mainURI, 1)?.diagnostics.some((d) => d.code === 'AWS-RDS-002'));

begin('the AI action is offered, unresolved');
let actions = await actionsFor('AWS-RDS-002');
const aiAction = actions.find((a) => a.title === 'Explain and fix AWS-RDS-002 with AI');
assert.ok(aiAction, `no AI action among ${actions.map((a) => a.title)}`);
assert.ok(actions.some((a) => a.title === 'Show remediation of AWS-RDS-002'), 'no Show remediation action');
assert.equal(aiAction.edit, undefined, 'the AI action is not lazy: it has an edit before it is resolved');
assert.ok(aiAction.data, 'the AI action carries no data to resolve it with');

begin('resolve it: enriched text, a verified edit, progress');
const t0 = performance.now();
const resolved = await conn.sendRequest(CodeActionResolveRequest.type, aiAction);
console.log(`resolved in ${Math.round(performance.now() - t0)} ms`);
const explanation = resolved.command?.arguments?.[2] ?? '';
assert.match(explanation, /#### AI explanation \(test-model\)/);
assert.match(explanation, /unencrypted, readable by anyone who gets a snapshot/);
assert.match(explanation, /Proposed fix — verified/);
assert.ok(resolved.edit?.changes?.[mainURI]?.length > 0, `the resolved action has no edit: ${JSON.stringify(resolved)}`);
await waitFor('progress "Asking test-model about AWS-RDS-002", begun and ended', () =>
  [...progress.values()].some((vs) => vs[0]?.kind === 'begin' && /Asking test-model about AWS-RDS-002/.test(vs[0].title) && vs.at(-1)?.kind === 'end'));

begin('apply the edit: the diagnostic goes');
const applied = applyEdits(text, resolved.edit.changes[mainURI]);
assert.match(applied.text, /storage_encrypted = true/);
const after = await change(applied.changes, applied.text);
assert.ok(!after.p.diagnostics.some((d) => d.code === 'AWS-RDS-002'), `AWS-RDS-002 is still there: ${after.p.diagnostics.map((d) => d.code)}`);
assert.ok(after.p.diagnostics.some((d) => d.code === 'AWS-SG-001'), 'the other findings went too');

begin('run its command, as an editor does after the edit: the explanation opens as a document');
await conn.sendRequest(ExecuteCommandRequest.type, { command: resolved.command.command, arguments: resolved.command.arguments });
const aiDoc = await waitFor('window/showDocument of the explanation', () => shown.find((s) => /\/ai-[0-9a-f]+\.md$/.test(s.uri)));
assert.match(readFileSync(fileURLToPath(aiDoc.uri), 'utf8'), /The finding is no longer reported[\s\S]*readable by anyone who gets a snapshot/);
begin('the remediation of a finding still there opens as a document');
actions = await actionsFor('AWS-SG-001');
const show = actions.find((a) => a.title === 'Show remediation of AWS-SG-001');
await conn.sendRequest(ExecuteCommandRequest.type, { command: show.command.command, arguments: show.command.arguments });
const doc = await waitFor('window/showDocument', () => shown.find((s) => /remediation-AWS-SG-001/.test(s.uri)));
const md = readFileSync(fileURLToPath(doc.uri), 'utf8');
assert.match(md, /### Remediation of AWS-SG-001/);
assert.match(md, /```diff/);

begin('diagnostics while an AI request hangs, then cancel it');
const sg = actions.find((a) => a.title === 'Explain and fix AWS-SG-001 with AI');
const idle = [];
for (let i = 0; i < 5; i++) idle.push((await change([{ text: text + `\n# idle ${i}\n` }], text + `\n# idle ${i}\n`)).ms);
const cts = new CancellationTokenSource();
const hanging = conn.sendRequest(CodeActionResolveRequest.type, sg, cts.token);
await new Promise((r) => setTimeout(r, 300)); // the request is at the endpoint by now
const busy = [];
for (let i = 0; i < 5; i++) busy.push((await change([{ text: text + `\n# busy ${i}\n` }], text + `\n# busy ${i}\n`)).ms);
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`didChange → diagnostics, median of 5: ${med(idle).toFixed(1)} ms idle, ${med(busy).toFixed(1)} ms while an AI request hangs`);
assert.ok(med(busy) < 2 * med(idle) + 50, `diagnostics waited for AI: ${med(idle)} ms idle, ${med(busy)} ms busy`);
cts.cancel();
const err = await hanging.then(() => null, (e) => e);
assert.ok(err instanceof ResponseError && err.code === -32800, `the cancelled resolve answered ${err?.code} ${err?.message}, want -32800`);

begin('shutdown');
await conn.sendRequest(ShutdownRequest.type);
exiting = true;
await conn.sendNotification(ExitNotification.type);
await new Promise((r) => server.on('exit', r));
console.log('ok');
process.exit(0);
