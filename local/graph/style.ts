/** How each kind of node and edge is named and drawn, shared by the DOT and HTML renderers. */
import type { EdgeKind, NodeKind } from './graph.js';

export interface NodeStyle {
  /** The legend's name for the kind. */
  label: string;
  colour: string;
  /** Graphviz node shape. */
  shape: string;
}

export const NODE_STYLE: Record<NodeKind, NodeStyle> = {
  agent: { label: 'agent', colour: '#2f6fdb', shape: 'box' },
  prompt: { label: 'prompt', colour: '#2e9d57', shape: 'note' },
  skill: { label: 'skill', colour: '#7b52c9', shape: 'component' },
  server: { label: 'MCP server', colour: '#d9731a', shape: 'hexagon' },
  client: { label: 'MCP client', colour: '#b8901a', shape: 'hexagon' },
  pipeline: { label: 'pipeline', colour: '#128a9c', shape: 'tab' },
  step: { label: 'pipeline step', colour: '#1c9c86', shape: 'ellipse' },
  deploy: { label: 'deploy target', colour: '#5c6b80', shape: 'folder' },
  secret: { label: 'secret', colour: '#c93c3c', shape: 'diamond' },
  type: { label: 'type', colour: '#7a7f87', shape: 'box3d' },
  guardrail: { label: 'guardrail', colour: '#d1456d', shape: 'octagon' },
  user: { label: 'user', colour: '#5a5fd6', shape: 'invhouse' },
  environment: { label: 'environment', colour: '#6f9a1f', shape: 'parallelogram' },
  policy: { label: 'policy', colour: '#b64aa0', shape: 'house' },
  plugin: { label: 'plugin', colour: '#9556c2', shape: 'pentagon' },
  import: { label: 'import', colour: '#8a8f98', shape: 'cylinder' },
};

/** The words an edge is labelled with, and whether it is drawn dashed (a hand-off rather than a use). */
export const EDGE_STYLE: Record<EdgeKind, { label: string; dashed: boolean }> = {
  uses_prompt: { label: 'uses prompt', dashed: false },
  uses_skill: { label: 'uses skill', dashed: false },
  uses_guardrail: { label: 'guarded by', dashed: false },
  uses_client: { label: 'uses client', dashed: false },
  delegates_to: { label: 'delegates to', dashed: true },
  fallback: { label: 'falls back to', dashed: true },
  on_input_skill: { label: 'on input: uses skill', dashed: false },
  on_input_delegate: { label: 'on input: delegates to', dashed: true },
  connects_to: { label: 'connects to', dashed: false },
  exposes: { label: 'exposes', dashed: false },
  calls_tool: { label: 'calls tool on', dashed: false },
  uses_secret: { label: 'uses secret', dashed: false },
  contains: { label: 'contains', dashed: false },
  runs: { label: 'runs', dashed: false },
  depends_on: { label: 'depends on', dashed: false },
  can_access: { label: 'can access', dashed: false },
  overrides: { label: 'overrides', dashed: true },
};
