/**
 * The dependency graph of a package: one node per resource (and per pipeline
 * step), one edge per reference between them. Plain JSON, so the CLI's
 * renderers and the playground read the same value.
 */

/** What a node stands for: a resource kind of the IR, or a pipeline step. */
export const NODE_KINDS = [
  'agent',
  'prompt',
  'skill',
  'server',
  'client',
  'pipeline',
  'step',
  'deploy',
  'secret',
  'type',
  'guardrail',
  'user',
  'environment',
  'policy',
  'plugin',
  'import',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** What a reference means, read from its `from` node to its `to` node. */
export const EDGE_KINDS = [
  'uses_prompt',
  'uses_skill',
  'uses_guardrail',
  'uses_client',
  'delegates_to',
  'fallback',
  'on_input_skill',
  'on_input_delegate',
  'connects_to',
  'exposes',
  'calls_tool',
  'uses_secret',
  'contains',
  'runs',
  'depends_on',
  'can_access',
  'overrides',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** An attribute value as shown: text, a number, a flag, or a list of texts. */
export type AttributeValue = string | number | boolean | string[];

export interface GraphNode {
  /** `<kind>:<name>`; a step is `step:<pipeline>/<step>`. */
  id: string;
  kind: NodeKind;
  name: string;
  /** What the IR says about it, flattened for display; `missing: true` marks a referenced name that no resource declares. */
  attributes: Record<string, AttributeValue>;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** What qualifies the reference (a delegate's condition, the tool a skill calls, the env var a secret fills). */
  detail?: string;
}

export interface Graph {
  package: { name: string; version: string };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The id of the node of resource `name` of `kind`. */
export function nodeId(kind: NodeKind, name: string): string {
  return `${kind}:${name}`;
}
