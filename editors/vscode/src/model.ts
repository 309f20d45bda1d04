// The model export of `threatls model --format json` (docs/model-json.md), as the server's
// threatls/model request returns it, and what the extension derives from it. Nothing here
// imports vscode, so that unit tests run under plain Node.

export interface Attr {
  value: unknown;
  origin: string;
  source: string;
  note?: string;
}

export interface ModelElement {
  id: string;
  kind: string; // component, store, actor, control
  type: string;
  name: string;
  zone: string;
  sources: string[];
  attrs: Record<string, Attr>;
}

export interface ModelFlow {
  id: string;
  type: string;
  name: string;
  from: string;
  to: string;
  sources: string[];
  attrs: Record<string, Attr>;
}

export interface ModelZone {
  id: string;
  type: string;
  name: string;
  trust: string;
  parent: string;
  elements: string[];
  sources: string[];
}

export interface Hop {
  flow: string;
  from: string;
  to: string;
  missing: string[];
  source: string;
}

export interface AttackPath {
  id: string;
  name: string;
  entry: string;
  asset: string;
  risk: number;
  classification: string;
  missing_controls: string[];
  hops: Hop[];
  source: string;
}

export interface Model {
  version: number;
  root: string; // added by the server: the folder the locations are relative to
  elements: ModelElement[];
  flows: ModelFlow[];
  zones: ModelZone[];
  paths: AttackPath[];
  problems: { source: string; message: string }[];
}

// Loc is a location of the export: "file:line:col", one-based, the column in characters.
export interface Loc {
  file: string;
  line: number; // zero-based, as editors count
  character: number; // zero-based
}

// parseLoc reads "dir/file.tf:12:5" (the file may hold colons); undefined when it is not one.
export function parseLoc(s: string | undefined): Loc | undefined {
  if (!s) return undefined;
  const m = /^(.*):(\d+):(\d+)$/.exec(s);
  if (!m || m[1] === '') return undefined;
  return { file: m[1], line: Number(m[2]) - 1, character: Number(m[3]) - 1 };
}

// pathsThrough returns the attack paths an element is on: as entry, asset, or either end of
// a hop.
export function pathsThrough(model: Model, id: string): AttackPath[] {
  return model.paths.filter((p) => p.entry === id || p.asset === id || p.hops.some((h) => h.from === id || h.to === id));
}

// Severity counts of the Problems view's threatls diagnostics, by VS Code's severities.
export interface Counts {
  error: number;
  warning: number;
  info: number;
  hint: number;
}

// countSeverities counts diagnostics whose source is threatls; severity is VS Code's
// DiagnosticSeverity (0 error, 1 warning, 2 information, 3 hint).
export function countSeverities(diags: Iterable<{ source?: string; severity: number }>): Counts {
  const c: Counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const d of diags) {
    if (d.source !== 'threatls') continue;
    switch (d.severity) {
      case 0: c.error++; break;
      case 1: c.warning++; break;
      case 2: c.info++; break;
      default: c.hint++;
    }
  }
  return c;
}

// statusText is the status bar's text: the shield, then the count of each severity present
// ("$(shield) $(error) 3 $(warning) 5"), or "no threats".
export function statusText(c: Counts): string {
  const parts = ['$(shield)'];
  if (c.error) parts.push(`$(error) ${c.error}`);
  if (c.warning) parts.push(`$(warning) ${c.warning}`);
  if (c.info) parts.push(`$(info) ${c.info}`);
  if (c.hint) parts.push(`$(light-bulb) ${c.hint}`);
  if (parts.length === 1) parts.push('no threats');
  return parts.join(' ');
}

// statusTooltip spells the counts out in the library's words.
export function statusTooltip(c: Counts): string {
  return `threatls: ${c.error} critical or high, ${c.warning} medium, ${c.info} low, ${c.hint} informational. Click to list them.`;
}

// settingsOf picks from the "threatls" configuration section what the server reads, for
// initializationOptions: {"threatls": {...}}.
export function settingsOf(get: (key: string) => unknown): { threatls: Record<string, unknown> } {
  const out: Record<string, unknown> = {};
  for (const key of ['maxFileSize', 'exclude', 'minSeverity', 'disable']) {
    const v = get(key);
    if (v !== undefined && v !== null) out[key] = v;
  }
  return { threatls: out };
}

// A range of the protocol: zero-based lines and UTF-16 characters of its start and end.
export interface ProtocolRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

// isRange tells a protocol range from what a command's arguments may carry instead: nothing,
// or a vscode.Range after it crossed the workbench as JSON (an array of two positions).
export function isRange(r: unknown): r is ProtocolRange {
  const pos = (p: unknown) => typeof p === 'object' && p !== null &&
    Number.isInteger((p as { line: unknown }).line) && Number.isInteger((p as { character: unknown }).character);
  return typeof r === 'object' && r !== null && pos((r as ProtocolRange).start) && pos((r as ProtocolRange).end);
}
