/** A package of about fifty nodes (agents, prompts, skills, servers, clients, pipelines, deploys, secrets) for the layout's readability checks. */
import type { IRDocument, IRResource } from '../../shared/ir/types.js';
import { agent, irOf, prompt } from '../helpers/ir-builder.js';

const resource = (kind: string, name: string, attributes: Record<string, unknown>) =>
  ({ kind, name, fqn: `test/${kind}/${name}`, hash: '0'.repeat(64), attributes }) as unknown as IRResource;

export function largeIr(): IRDocument {
  const out: IRResource[] = [];
  for (let i = 0; i < 4; i++) out.push(resource('Secret', `secret-${i}`, { source: 'env', key: `KEY_${i}` }));
  for (let i = 0; i < 3; i++) out.push(resource('Server', `server-${i}`, { transport: 'stdio', command: 'node', args: [], env: {}, exposes: [`skill-${i}`] }));
  for (let i = 0; i < 2; i++) out.push(resource('Client', `client-${i}`, { servers: [`server-${i}`, `server-${i + 1}`] }));
  for (let i = 0; i < 10; i++) {
    const tool =
      i < 3
        ? { type: 'mcp', server: `server-${i}`, tool: `tool_${i}` }
        : { type: 'command', binary: 'sh', args: [], timeout_ms: 1000, env: {}, secrets: { K: `secret-${i % 4}` } };
    out.push(resource('Skill', `skill-${i}`, { description: `skill ${i}`, input_schema: { type: 'object', properties: {} }, tool }));
  }
  for (let i = 0; i < 11; i++) {
    out.push(prompt(`prompt-${i}`, `You are agent ${i}.`));
    out.push(
      agent(`agent-${i}`, {
        prompt: `prompt-${i}`,
        skills: [`skill-${i % 10}`, `skill-${(i * 3 + 1) % 10}`],
        clients: i % 4 === 0 ? [`client-${i % 2}`] : [],
        delegates: i % 3 === 0 && i + 1 < 11 ? [{ agent: `agent-${i + 1}`, when: 'needed' }] : [],
      }),
    );
  }
  for (let p = 0; p < 2; p++) {
    const steps = [0, 1, 2, 3].map((s) => ({ name: `s${s}`, agent: `agent-${(p * 4 + s) % 11}`, parallel: false, depends_on: s === 0 ? [] : [`s${s - 1}`] }));
    out.push(resource('Pipeline', `pipeline-${p}`, { steps }));
  }
  for (let i = 0; i < 3; i++) out.push(resource('Deploy', `deploy-${i}`, { target: 'docker', default: i === 0, env: {}, secrets: { KEY: `secret-${i}` } }));
  return irOf(...out);
}
