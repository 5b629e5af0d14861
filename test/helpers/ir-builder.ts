/**
 * Builds IR documents by hand for runtime tests: agents with the lowering's
 * defaults, prompts with variables, so a test states only what it is about.
 */
import type { IRAgent, IRDocument, IRPrompt, IRResource, IRVariable } from '../../shared/ir/types.js';

export type AgentAttrs = IRAgent['attributes'];

/** An agent resource with the language's defaults (react, 10 turns, 120 s, 100k tokens, fail). */
export function agent(name: string, attrs: Partial<AgentAttrs> = {}): IRAgent {
  return {
    kind: 'Agent',
    name,
    fqn: `test/Agent/${name}`,
    hash: '0'.repeat(64),
    attributes: {
      skills: [],
      model: 'claude-sonnet-4-20250514',
      provider: 'anthropic',
      strategy: 'react',
      max_turns: 10,
      timeout_ms: 120_000,
      token_budget: 100_000,
      stream: true,
      on_error: 'fail',
      max_retries: 0,
      memory: { strategy: 'sliding_window', max_messages: 50 },
      delegates: [],
      clients: [],
      metadata: {},
      ...attrs,
    },
  };
}

/** A prompt resource. */
export function prompt(name: string, content: string, variables: IRVariable[] = []): IRPrompt {
  return { kind: 'Prompt', name, fqn: `test/Prompt/${name}`, hash: '0'.repeat(64), attributes: { content, variables } };
}

/** An IR document holding the given resources. */
export function irOf(...resources: IRResource[]): IRDocument {
  return { ir_version: '1', package: { name: 'test', version: '0.1.0', lang: '2.0' }, hash: '0'.repeat(64), resources };
}
