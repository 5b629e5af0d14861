/**
 * The graph as one self-contained HTML page: styles, script and data
 * inline, nothing fetched (its Content-Security-Policy forbids any request),
 * so it opens offline from file://. The drawing and interaction are in
 * page-script.ts.
 */
import type { Graph } from './graph.js';
import { PAGE_SCRIPT } from './page-script.js';
import { EDGE_STYLE, NODE_STYLE } from './style.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside a <script> element: no `<` can close it. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const STYLE = `
:root { --bg: #f7f8fa; --panel: #ffffff; --fg: #1d2430; --muted: #687385; --line: #9aa4b2; --accent: #e0a100; --border: #d9dee6; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --bg: #14181f; --panel: #1c222b; --fg: #e4e8ee; --muted: #98a2b3; --line: #6b7586; --accent: #ffc53d; --border: #2d3541; } }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; background: var(--bg); color: var(--fg); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; align-items: center; gap: 10px; padding: 8px 12px; background: var(--panel); border-bottom: 1px solid var(--border); }
header h1 { font-size: 15px; margin: 0 12px 0 0; white-space: nowrap; }
header h1 small { color: var(--muted); font-weight: normal; }
#search { flex: 0 1 320px; padding: 5px 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
#count { color: var(--muted); margin-right: auto; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
main { flex: 1; display: flex; min-height: 0; }
#legend { width: 210px; padding: 10px 12px; overflow: auto; background: var(--panel); border-right: 1px solid var(--border); }
#legend h2, #details h2 { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 6px 0; }
#legend ul { list-style: none; padding: 0; margin: 0 0 12px; }
#legend li { margin: 3px 0; }
#legend label { display: flex; align-items: center; gap: 6px; cursor: pointer; }
.swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; }
.legend-line { stroke: var(--line); stroke-width: 2; }
.legend-line.dashed { stroke-dasharray: 5 3; }
#canvas { flex: 1; min-width: 0; cursor: grab; user-select: none; touch-action: none; }
#canvas:active { cursor: grabbing; }
.node { cursor: pointer; }
.node .box { fill: var(--panel); stroke-width: 1.5; }
.node .name { font-size: 12px; font-weight: 600; fill: var(--fg); }
.node .kind { font-size: 10px; fill: var(--muted); }
.node.missing .box { stroke-dasharray: 4 3; }
.node.selected .box { stroke-width: 3; stroke: var(--accent) !important; }
.node:focus { outline: none; }
.node:focus-visible .box { stroke-width: 3; }
.edge .line { fill: none; stroke: var(--line); stroke-width: 1.3; marker-end: url(#arrow); }
.edge.dashed .line { stroke-dasharray: 5 4; }
.edge .hit { fill: none; stroke: transparent; stroke-width: 8; }
.edge .edge-label { display: none; font-size: 10px; fill: var(--fg); paint-order: stroke; stroke: var(--bg); stroke-width: 3px; }
.edge.highlighted .line { stroke: var(--accent); stroke-width: 2.4; marker-end: url(#arrow-lit); }
.edge.highlighted .edge-label { display: block; }
#arrow path { fill: var(--line); }
#arrow-lit path { fill: var(--accent); }
.has-selection .node:not(.near), .has-selection .edge:not(.highlighted) { opacity: .22; }
.unmatched { opacity: .15; }
.hidden { display: none; }
#details { width: 330px; padding: 10px 14px; overflow: auto; background: var(--panel); border-left: 1px solid var(--border); }
#details header { padding: 0; border: 0; background: none; justify-content: space-between; }
#details-kind { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; font-weight: 600; }
#details-name { font-size: 16px; font-weight: 600; margin: 2px 0 10px; word-break: break-word; }
#details table { border-collapse: collapse; width: 100%; margin-bottom: 10px; }
#details th { text-align: left; vertical-align: top; color: var(--muted); font-weight: normal; padding: 3px 8px 3px 0; white-space: nowrap; }
#details td { padding: 3px 0; word-break: break-word; }
#details td ul { margin: 0; padding-left: 16px; }
#details pre { margin: 0; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; }
#details > ul { padding-left: 16px; margin: 0 0 10px; }
button.link { border: 0; padding: 0; background: none; color: var(--accent); text-decoration: underline; }
`;

export function renderHtml(graph: Graph): string {
  const title = `${graph.package.name} ${graph.package.version}`;
  const data = { graph, nodeStyle: NODE_STYLE, edgeStyle: EDGE_STYLE };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}: dependency graph</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(graph.package.name)} <small>${escapeHtml(graph.package.version)}</small></h1>
<input id="search" type="search" placeholder="Filter by name, kind or attribute (Enter selects)" aria-label="Filter nodes">
<span id="count"></span>
<button id="zoom-out" title="Zoom out">&minus;</button><button id="zoom-in" title="Zoom in">+</button><button id="fit" title="Fit the graph in the window">Fit</button><button id="turn" title="Lay the graph out left to right or top to bottom">Turn</button>
</header>
<main>
<aside id="legend"><h2>Kinds</h2><ul id="legend-kinds"></ul><h2>Lines</h2><ul id="legend-edges"></ul></aside>
<svg id="canvas" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Dependency graph of ${escapeHtml(graph.package.name)}">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>
<marker id="arrow-lit" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>
</defs>
<g id="viewport"><g id="edges"></g><g id="nodes"></g></g>
</svg>
<aside id="details" hidden>
<header><span id="details-kind"></span><button id="details-close" title="Close (Esc)">&times;</button></header>
<div id="details-name"></div>
<table><tbody id="details-attributes"></tbody></table>
<h2>Uses</h2><ul id="details-out"></ul>
<h2>Used by</h2><ul id="details-in"></ul>
</aside>
</main>
<script type="application/json" id="graph-data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
