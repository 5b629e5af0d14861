/** The dependency graph of a package: extraction from the IR and its DOT, JSON and HTML renderings. */
export * from './graph.js';
export { extractGraph } from './extract.js';
export { renderDot } from './dot.js';
export { renderJson } from './json.js';
export { renderHtml } from './html.js';
