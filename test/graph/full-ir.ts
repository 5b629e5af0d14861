/**
 * A hand-built IR with every node kind and every edge kind the graph knows,
 * the 3.0 additions (guardrails, users, an agent's guardrails, models,
 * budget, config and on_input) included, cast where the IR types do not
 * describe them yet.
 */
import type { IRDocument, IRResource } from '../../shared/ir/types.js';
import { agent, irOf, prompt } from '../helpers/ir-builder.js';

const resource = (kind: string, name: string, attributes: Record<string, unknown>) =>
  ({ kind, name, fqn: `test/${kind}/${name}`, hash: '0'.repeat(64), attributes }) as unknown as IRResource;

const schema = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });

export function fullIr(): IRDocument {
  return irOf(
    resource('Secret', 'api-token', { source: 'env', key: 'API_TOKEN' }),
    resource('Secret', 'admin-key', { source: 'store', key: 'admin' }),
    resource('Secret', 'registry', { source: 'env', key: 'REGISTRY_AUTH' }),
    resource('Secret', 'keys', { source: 'env', key: 'RUNTIME_KEYS' }),
    prompt('helper', 'You help with {{topic}}.', [{ name: 'topic', type: 'string', required: true }]),
    resource('Type', 'ticket', { schema: schema({ id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, ['id']) }),
    resource('Skill', 'search', {
      description: 'Search the docs',
      input_schema: schema({ query: { type: 'string' } }, ['query']),
      tool: { type: 'mcp', server: 'docs', tool: 'search_docs' },
    }),
    resource('Skill', 'shell', {
      description: 'Run a script',
      input_schema: schema({}),
      tool: { type: 'command', binary: 'sh', args: ['run.sh'], timeout_ms: 1000, env: {}, secrets: { TOKEN: 'api-token' } },
    }),
    resource('Server', 'docs', { transport: 'sse', url: 'http://localhost:9000/sse', args: [], env: {}, auth: 'api-token', exposes: ['search'] }),
    resource('Client', 'docs-client', { servers: ['docs'] }),
    resource('Guardrail', 'no-secrets', { mode: 'block', keywords: ['password'], patterns: ['\\d{16}'], fallback: 'I cannot share that.' }),
    agent('triage', {
      prompt: 'helper',
      skills: ['search'],
      clients: ['docs-client'],
      delegates: [{ agent: 'fixer', when: 'a fix is needed' }],
      fallback: 'backup',
      ...({
        guardrails: ['no-secrets'],
        models: ['claude-sonnet-4-20250514', 'claude-haiku-4-5'],
        budget: { daily: 5, monthly: 100 },
        config: [{ name: 'greeting', type: 'string', required: false, secret: false, default: 'Hello' }],
        on_input: [
          {
            kind: 'if',
            branches: [{ condition: 'input.urgent', body: [{ kind: 'delegate', agent: 'backup' }] }],
            else: [{ kind: 'for_each', variable: 'q', collection: 'input.queries', body: [{ kind: 'use_skill', skill: 'shell', params: { q: 'q' } }] }],
          },
          { kind: 'respond', expression: 'config.greeting' },
        ],
      } as object),
    }),
    agent('fixer', { skills: ['shell'] }),
    agent('backup'),
    resource('Pipeline', 'flow', {
      steps: [
        { name: 'first', agent: 'triage', parallel: false, depends_on: [] },
        { name: 'second', agent: 'fixer', parallel: false, depends_on: ['first'], when: 'steps.first.output != ""' },
      ],
    }),
    resource('Deploy', 'cluster', {
      target: 'kubernetes',
      default: true,
      env: { LOG_LEVEL: 'debug' },
      secrets: { API_TOKEN: 'api-token' },
      api_keys: 'keys',
      registry_auth: 'registry',
    }),
    resource('User', 'alice', { key: 'admin-key', agents: ['triage', 'fixer'], role: 'admin' }),
    resource('User', 'bob', { key: 'BOB_KEY', agents: ['backup'] }),
    resource('Environment', 'prod', { overrides: [{ kind: 'Agent', name: 'triage', attributes: { max_turns: 4 } }] }),
    resource('Policy', 'models', { rules: [{ action: 'deny', subject: 'model', value: 'claude-haiku-latest' }] }),
    resource('Plugin', 'extra', { version: '1.2.0' }),
    resource('Import', 'shared', { source: './shared.ias' }),
  );
}
