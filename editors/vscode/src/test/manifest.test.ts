import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

// The manifest and the code agree: every command the code registers is contributed (so it
// shows in the palette) and every contributed command is registered; .tf files are a language
// even with no Terraform extension installed.
const here = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const src = readdirSync(path.join(here, 'src')).filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(path.join(here, 'src', f), 'utf8')).join('\n');

test('contributed commands are the registered ones', () => {
  const registered = [...src.matchAll(/command\('(threatls\.[A-Za-z]+)'/g)].map((m) => m[1]).sort();
  const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  // threatls.showElement is the code lens's command: registered, not in the palette.
  assert.deepEqual(registered.filter((c) => c !== 'threatls.showElement'), contributed);
});

test('a .tf file is terraform without any other extension', () => {
  const tf = pkg.contributes.languages.find((l: { id: string }) => l.id === 'terraform');
  assert.deepEqual(tf?.extensions, ['.tf']);
  assert.ok(pkg.activationEvents.includes('onLanguage:terraform'));
});

test('every setting the server reads is contributed', () => {
  for (const k of ['maxFileSize', 'exclude', 'minSeverity', 'disable', 'server.path']) {
    assert.ok(pkg.contributes.configuration.properties[`threatls.${k}`], k);
  }
});
