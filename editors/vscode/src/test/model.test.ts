import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { errorPage, highlighted, html, layout, svg } from '../diagram';
import { countSeverities, isRange, Model, parseLoc, pathsThrough, settingsOf, statusText } from '../model';
import { bundledPath, resolveServer, Restarts } from '../server';

// testdata/model.json is `threatls model --format json lsp/e2e/testdata/workspace` with the
// root the server adds.
const here = path.join(__dirname, '..', '..');
const model: Model = JSON.parse(readFileSync(path.join(here, 'testdata', 'model.json'), 'utf8'));
const API = 'kubernetes:default/Deployment/api';
const BUCKET = 'terraform:./aws_s3_bucket.assets';

test('parseLoc reads file:line:col, one-based, into zero-based positions', () => {
  assert.deepEqual(parseLoc('k8s/app.yaml:27:1'), { file: 'k8s/app.yaml', line: 26, character: 0 });
  assert.deepEqual(parseLoc('c:/x/y.tf:2:3'), { file: 'c:/x/y.tf', line: 1, character: 2 });
  assert.equal(parseLoc(''), undefined);
  assert.equal(parseLoc('main.tf'), undefined);
});

test('pathsThrough finds the paths an element is on', () => {
  assert.equal(pathsThrough(model, API).length, 1);
  assert.equal(pathsThrough(model, BUCKET).length, 0);
});

test('the status bar counts threatls diagnostics only, by severity', () => {
  const c = countSeverities([
    { source: 'threatls', severity: 0 }, { source: 'threatls', severity: 0 }, { source: 'threatls', severity: 1 },
    { source: 'threatls', severity: 3 }, { source: 'terraform', severity: 0 }, { severity: 0 },
  ]);
  assert.deepEqual(c, { error: 2, warning: 1, info: 0, hint: 1 });
  assert.equal(statusText(c), '$(shield) $(error) 2 $(warning) 1 $(light-bulb) 1');
  assert.equal(statusText(countSeverities([])), '$(shield) no threats');
});

test('initializationOptions carry the settings the server reads, under "threatls"', () => {
  const cfg: Record<string, unknown> = { maxFileSize: 10, exclude: ['x'], minSeverity: 'high', disable: [], 'server.path': '/bin/t', other: 1 };
  assert.deepEqual(settingsOf((k) => cfg[k]), { threatls: { maxFileSize: 10, exclude: ['x'], minSeverity: 'high', disable: [] } });
});

test('the server is the configured path, else the bundled binary, else threatls on the PATH', () => {
  const ext = '/ext';
  const bundled = bundledPath(ext, 'linux');
  assert.equal(bundled, path.join('/ext', 'server', 'threatls'));
  assert.deepEqual(resolveServer('/opt/threatls', ext, (p) => p === '/opt/threatls', 'linux'), { command: '/opt/threatls', from: 'setting' });
  assert.throws(() => resolveServer('/nope', ext, () => false, 'linux'), /threatls.server.path is set to \/nope/);
  assert.deepEqual(resolveServer('', ext, (p) => p === bundled, 'linux'), { command: bundled, from: 'bundled' });
  assert.deepEqual(resolveServer(' ', ext, () => false, 'linux'), { command: 'threatls', from: 'PATH' });
  assert.equal(bundledPath(ext, 'win32'), path.join('/ext', 'server', 'threatls.exe'));
});

test('a crashing server is restarted five times in three minutes, then left stopped', () => {
  const r = new Restarts(5, 180_000);
  const got = [0, 1, 2, 3, 4, 5].map((i) => r.crashed(i * 1000));
  assert.deepEqual(got.map((x) => x.restart), [true, true, true, true, true, false]);
  assert.equal(r.crashed(10 * 60_000).restart, true, 'crashes older than the window are forgotten');
});

test('the diagram places zones by trust and every component, store and actor once', () => {
  const l = layout(model);
  const shown = model.elements.filter((e) => e.kind !== 'control');
  assert.equal(l.nodes.size, shown.length);
  const trusts = l.zones.map((z) => z.trust);
  assert.equal(trusts[0], 'internet', `zones left to right: ${trusts}`);
  for (const z of l.zones) {
    for (const [, n] of l.nodes) {
      if ((n.el.zone || '') === z.id) {
        assert.ok(n.box.x >= z.box.x && n.box.x + n.box.w <= z.box.x + z.box.w && n.box.y + n.box.h <= z.box.y + z.box.h, `${n.el.id} outside ${z.id}`);
      }
    }
  }
});

test('selecting an element highlights the hops and ends of its attack paths', () => {
  const hl = highlighted(model, API);
  const p = model.paths[0];
  assert.deepEqual([...hl.flows].sort(), p.hops.map((h) => h.flow).sort());
  assert.ok(hl.nodes.has(p.entry) && hl.nodes.has(p.asset));
  const out = svg(model, API);
  assert.match(out, new RegExp(`class="node component selected hot" data-id="${API}"`));
  for (const h of p.hops) assert.ok(out.includes(`class="flow hot`) && out.includes(`data-id="${h.flow}"`), h.flow);
  assert.equal(highlighted(model, BUCKET).flows.size, 0);
  assert.doesNotMatch(svg(model), /class="(node|flow)[^"]*\bhot\b/);
});

test('the webview page is locked down and escapes the model', () => {
  const m: Model = JSON.parse(JSON.stringify(model));
  m.elements[0].name = '<script>alert(1)</script>';
  const page = html(m, m.elements[0].id, 'NONCE', 'vscode-resource:');
  assert.match(page, /Content-Security-Policy" content="default-src 'none'; style-src vscode-resource: 'nonce-NONCE'; script-src 'nonce-NONCE';"/);
  assert.ok(!page.includes('<script>alert(1)'));
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('a diagram without a model says why, escaped, and runs no script', () => {
  const page = errorPage('connection <b>closed</b>', 'vscode-resource:');
  assert.match(page, /could not get the model to draw: connection &lt;b&gt;closed&lt;\/b&gt;/);
  assert.match(page, /Content-Security-Policy" content="default-src 'none'; style-src vscode-resource:;"/);
  assert.ok(!page.includes('<script'));
});

test('a finding\'s range survives the trip through a command\'s arguments only as a protocol range', () => {
  const protocolRange = { start: { line: 36, character: 0 }, end: { line: 36, character: 33 } };
  assert.ok(isRange(JSON.parse(JSON.stringify(protocolRange))));
  // A vscode.Range serialises as [start, end]: no start or end survives.
  assert.ok(!isRange(JSON.parse(JSON.stringify([{ line: 36, character: 0 }, { line: 36, character: 33 }]))));
  assert.ok(!isRange(undefined));
  assert.ok(!isRange({ start: { line: 1 }, end: { line: 1, character: 2 } }));
});
