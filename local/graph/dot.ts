/** The graph as Graphviz DOT: one statement per node and per edge, in extraction order (so output is stable). */
import type { Graph, GraphNode } from './graph.js';
import { EDGE_STYLE, NODE_STYLE } from './style.js';

/** A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`. */
export function dotString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

const attrs = (pairs: Record<string, string>) =>
  Object.entries(pairs)
    .map(([k, v]) => `${k}=${dotString(v)}`)
    .join(', ');

function tooltip(node: GraphNode): string {
  const lines = Object.entries(node.attributes).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('; ') : String(v)}`);
  const text = [`${NODE_STYLE[node.kind].label} ${node.name}`, ...lines].join('\n');
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

export function renderDot(graph: Graph): string {
  const out = [
    `digraph ${dotString(graph.package.name)} {`,
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica", fontsize=8];',
  ];
  for (const n of graph.nodes) {
    const style = NODE_STYLE[n.kind];
    const missing = n.attributes.missing === true;
    out.push(
      `  ${dotString(n.id)} [${attrs({
        label: typeof n.attributes.pipeline === 'string' ? `${n.attributes.pipeline} / ${n.name}` : n.name,
        shape: style.shape,
        color: style.colour,
        style: missing ? 'dashed' : 'filled',
        fillcolor: `${style.colour}22`,
        tooltip: tooltip(n),
      })}];`,
    );
  }
  for (const e of graph.edges) {
    const style = EDGE_STYLE[e.kind];
    const label = e.detail === undefined ? style.label : `${style.label} (${e.detail})`;
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [${attrs({ label, ...(style.dashed ? { style: 'dashed' } : {}) })}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
