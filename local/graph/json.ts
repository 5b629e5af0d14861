/** The graph as JSON: `{package, nodes, edges}` exactly as extracted, for scripts and other tools. */
import type { Graph } from './graph.js';

export function renderJson(graph: Graph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}
