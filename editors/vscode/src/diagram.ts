// The data-flow diagram: a layout of the model export (zones as columns ordered by trust,
// their elements stacked inside, flows as arrows) rendered as SVG for a webview. The
// selected element and its attack paths are highlighted. Pure: no vscode import.
import { AttackPath, Model, ModelElement, pathsThrough } from './model';

const TRUST = ['internet', 'dmz', 'internal', 'restricted'];
const NODE_W = 190;
const NODE_H = 38;
const GAP = 14;
const PAD = 16;
const HEAD = 30; // a zone's title
const BAND_GAP = 36;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  zones: { id: string; name: string; trust: string; box: Box }[];
  nodes: Map<string, { el: ModelElement; box: Box }>;
}

// layout places every component, store and actor. Zones are bands from top to bottom, from the
// least trusted; each holds its elements in rows of at most COLS; elements without a zone go
// in a last band. (Bands fit the narrow panel beside an editor better than columns.)
const COLS = 3;

export function layout(model: Model): Layout {
  const shown = model.elements.filter((e) => e.kind !== 'control');
  const byZone = new Map<string, ModelElement[]>();
  for (const e of shown) {
    const z = e.zone || '';
    if (!byZone.has(z)) byZone.set(z, []);
    byZone.get(z)!.push(e);
  }
  const zoneOf = new Map(model.zones.map((z) => [z.id, z]));
  const rank = (id: string) => {
    if (id === '') return TRUST.length + 1;
    const t = TRUST.indexOf(zoneOf.get(id)?.trust ?? '');
    return t < 0 ? TRUST.length : t;
  };
  const ids = [...byZone.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const cols = Math.min(COLS, Math.max(1, ...[...byZone.values()].map((v) => v.length)));
  const bandW = cols * NODE_W + (cols - 1) * GAP + 2 * PAD;
  const out: Layout = { width: bandW + 2 * PAD, height: 0, zones: [], nodes: new Map() };
  let y = PAD;
  for (const id of ids) {
    const els = byZone.get(id)!;
    const z = zoneOf.get(id);
    const rows = Math.ceil(els.length / cols);
    const h = HEAD + rows * (NODE_H + GAP) - GAP + PAD;
    out.zones.push({ id, name: z?.name ?? '(no zone)', trust: z?.trust ?? '', box: { x: PAD, y, w: bandW, h } });
    els.forEach((el, i) => {
      const col = i % cols;
      const row = Math.floor(i / cols);
      out.nodes.set(el.id, { el, box: { x: 2 * PAD + col * (NODE_W + GAP), y: y + HEAD + row * (NODE_H + GAP), w: NODE_W, h: NODE_H } });
    });
    y += h + BAND_GAP;
  }
  out.height = Math.max(y - BAND_GAP + PAD, 100);
  return out;
}

export function escapeXML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// highlighted returns the flows and elements on the attack paths through the selection.
export function highlighted(model: Model, selected: string | undefined): { flows: Set<string>; nodes: Set<string>; paths: AttackPath[] } {
  const flows = new Set<string>();
  const nodes = new Set<string>();
  const paths = selected ? pathsThrough(model, selected) : [];
  for (const p of paths) {
    for (const h of p.hops) {
      flows.add(h.flow);
      nodes.add(h.from);
      nodes.add(h.to);
    }
  }
  return { flows, nodes, paths };
}

// svg renders the diagram; every node is a <g class="node" data-id="…"> the webview's script
// makes clickable.
export function svg(model: Model, selected?: string): string {
  const l = layout(model);
  const hl = highlighted(model, selected);
  const parts: string[] = [];
  // Full size, scaled down to the panel's width when it is narrower.
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
    '<path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker>' +
    '<marker id="arrow-hot" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
    '<path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead hot"/></marker></defs>');
  for (const z of l.zones) {
    parts.push(`<g class="zone trust-${escapeXML(z.trust || 'unknown')}" data-id="${escapeXML(z.id)}">` +
      `<rect x="${z.box.x}" y="${z.box.y}" width="${z.box.w}" height="${z.box.h}" rx="8"/>` +
      `<text x="${z.box.x + PAD}" y="${z.box.y + 20}" class="zone-title">${escapeXML(z.name)}${z.trust ? ` · ${escapeXML(z.trust)}` : ''}</text></g>`);
  }
  for (const f of model.flows) {
    const a = l.nodes.get(f.from);
    const b = l.nodes.get(f.to);
    if (!a || !b || f.from === f.to) continue;
    const hot = hl.flows.has(f.id);
    // From the bottom of one to the top of the other (or side to side within a row).
    let d: string;
    if (b.box.y > a.box.y + a.box.h) {
      const [x1, y1, x2, y2] = [a.box.x + a.box.w / 2, a.box.y + a.box.h, b.box.x + b.box.w / 2, b.box.y];
      d = `M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
    } else if (b.box.y + b.box.h < a.box.y) {
      const [x1, y1, x2, y2] = [a.box.x + a.box.w / 2, a.box.y, b.box.x + b.box.w / 2, b.box.y + b.box.h];
      d = `M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
    } else {
      const right = b.box.x >= a.box.x;
      const [x1, x2] = right ? [a.box.x + a.box.w, b.box.x] : [a.box.x, b.box.x + b.box.w];
      const [y1, y2] = [a.box.y + a.box.h / 2, b.box.y + b.box.h / 2];
      const bend = x1 === x2 ? 40 : (x2 - x1) / 2;
      d = `M ${x1} ${y1} C ${x1 + bend} ${y1 - 12}, ${x2 - bend} ${y2 - 12}, ${x2} ${y2}`;
    }
    const plain = f.attrs?.tls?.value === false ? ' plaintext' : '';
    parts.push(`<path class="flow${hot ? ' hot' : ''}${plain}" data-id="${escapeXML(f.id)}" d="${d}" marker-end="url(#${hot ? 'arrow-hot' : 'arrow'})">` +
      `<title>${escapeXML(f.name)}</title></path>`);
  }
  for (const [id, n] of l.nodes) {
    const cls = ['node', n.el.kind, id === selected ? 'selected' : '', hl.nodes.has(id) ? 'hot' : ''].filter(Boolean).join(' ');
    const label = n.el.name.length > 26 ? n.el.name.slice(0, 25) + '…' : n.el.name;
    const shape = n.el.kind === 'store'
      ? `<rect x="${n.box.x}" y="${n.box.y}" width="${n.box.w}" height="${n.box.h}" rx="16"/>`
      : n.el.kind === 'actor'
        ? `<rect x="${n.box.x}" y="${n.box.y}" width="${n.box.w}" height="${n.box.h}" rx="2" stroke-dasharray="5 3"/>`
        : `<rect x="${n.box.x}" y="${n.box.y}" width="${n.box.w}" height="${n.box.h}" rx="5"/>`;
    parts.push(`<g class="${cls}" data-id="${escapeXML(id)}" tabindex="0" role="button">${shape}` +
      `<text x="${n.box.x + 10}" y="${n.box.y + 16}" class="name">${escapeXML(label)}</text>` +
      `<text x="${n.box.x + 10}" y="${n.box.y + 31}" class="type">${escapeXML(n.el.kind + ' · ' + n.el.type)}</text>` +
      `<title>${escapeXML(n.el.name + '\n' + n.el.id + '\n' + n.el.sources.join('\n'))}</title></g>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

// html is the webview's page: the SVG, the selection's attack paths listed below it, and a
// script that reports clicks on nodes. nonce and cspSource come from the webview.
export function html(model: Model, selected: string | undefined, nonce: string, cspSource: string): string {
  const hl = highlighted(model, selected);
  const name = (id: string) => model.elements.find((e) => e.id === id)?.name ?? id;
  const sel = selected ? model.elements.find((e) => e.id === selected) : undefined;
  const list = sel
    ? `<h3>${escapeXML(sel.name)}: ${hl.paths.length === 1 ? '1 attack path' : `${hl.paths.length} attack paths`}</h3><ol>` +
      hl.paths.map((p) => `<li><b>risk ${p.risk}</b> ${escapeXML(p.hops.map((h) => name(h.from)).concat(name(p.asset)).join(' → '))}` +
        ` <span class="missing">missing: ${escapeXML(p.missing_controls.join(', ') || 'nothing')}</span></li>`).join('') + '</ol>'
    : `<p class="hint">${model.paths.length} attack paths. Click an element to highlight the paths through it and open its source.</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<title>threatls: data-flow diagram</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  #diagram svg { max-width: 100%; height: auto; }
  .zone rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-panel-border); }
  .zone.trust-internet rect { stroke: #c0392b; } .zone.trust-dmz rect { stroke: #d68910; }
  .zone.trust-internal rect { stroke: #2e86c1; } .zone.trust-restricted rect { stroke: #239b56; }
  .zone-title { font-size: 12px; font-weight: bold; fill: var(--vscode-descriptionForeground); }
  .node { cursor: pointer; } .node rect { fill: var(--vscode-editor-background); stroke: var(--vscode-foreground); stroke-width: 1; }
  .node.selected rect { stroke: var(--vscode-focusBorder); stroke-width: 3; }
  .node.hot rect { stroke: #e74c3c; stroke-width: 2.5; }
  .name { font-size: 12px; fill: var(--vscode-foreground); } .type { font-size: 10px; fill: var(--vscode-descriptionForeground); }
  .flow { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1.2; } .flow.plaintext { stroke-dasharray: 4 3; }
  .flow.hot { stroke: #e74c3c; stroke-width: 3; } .arrowhead { fill: var(--vscode-descriptionForeground); } .arrowhead.hot { fill: #e74c3c; }
  .missing { color: var(--vscode-errorForeground); } .hint { color: var(--vscode-descriptionForeground); }
</style></head>
<body>
<div id="diagram">${svg(model, selected)}</div>
<div id="paths">${list}</div>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  for (const n of document.querySelectorAll('.node')) {
    const pick = () => vscode.postMessage({ type: 'select', id: n.dataset.id });
    n.addEventListener('click', pick);
    n.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(); });
  }
</script>
</body></html>`;
}

// errorPage is what the diagram's panel shows when the model could not be had: why, rather
// than an empty panel.
export function errorPage(message: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource};">
<title>threatls: data-flow diagram</title></head>
<body><p>threatls could not get the model to draw: ${escapeXML(message)}</p>
<p>The diagram is drawn again when the diagnostics change, or run "threatls: Show Data-Flow Diagram" again.</p></body></html>`;
}
