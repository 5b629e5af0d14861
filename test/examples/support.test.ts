/**
 * The bundled support example runs as the README promises: its MCP order
 * server (shipped beside the package, named by a relative path) answers a
 * lookup, and its inline Python tool computes a refund in the sandbox. Only
 * the Anthropic API is the scripted fake.
 */
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeRuntime } from '../../shared/compose/index.js';
import type { AgentRuntime } from '../../shared/loop/types.js';
import { loadPackage } from '../../local/package/load-package.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { requireCommand } from '../helpers/require-system.js';

const FILE = resolve('examples/support/agents.ias');

function toolResults(fake: FakeAnthropic, index: number): { content: string; is_error?: boolean }[] {
  const messages = fake.requests[index]!.body.messages as { content: { type: string; content: string; is_error?: boolean }[] }[];
  return messages.at(-1)!.content.filter((b) => b.type === 'tool_result');
}

describe('examples/support', () => {
  let fake: FakeAnthropic;
  let runtime: AgentRuntime;
  const saved = { url: process.env.ANTHROPIC_BASE_URL, key: process.env.ANTHROPIC_API_KEY };

  beforeAll(async () => {
    requireCommand('bwrap');
    fake = await startFakeAnthropic();
    process.env.ANTHROPIC_BASE_URL = fake.url;
    process.env.ANTHROPIC_API_KEY = 'test-key';
    const { ir } = await loadPackage(FILE);
    runtime = await composeRuntime(ir, { workdir: dirname(FILE) });
  });

  afterAll(async () => {
    await runtime?.close();
    await fake?.close();
    process.env.ANTHROPIC_BASE_URL = saved.url;
    process.env.ANTHROPIC_API_KEY = saved.key;
  });

  it('looks an order up through the MCP server shipped beside the package', async () => {
    const before = fake.requests.length;
    fake.script({ toolUses: [{ name: 'lookup-order', input: { order_id: 'A-1001' } }] }, { text: 'Your kettle has shipped with DHL.' });

    const result = await runtime.invoke('support-bot', { message: 'Where is my order A-1001?' });

    expect(result.output).toBe('Your kettle has shipped with DHL.');
    expect(result.tool_calls).toMatchObject([{ name: 'lookup-order', status: 'ok', output: { id: 'A-1001', status: 'shipped' } }]);
    const [sent] = toolResults(fake, before + 1);
    expect(sent!.is_error).toBeFalsy();
    expect(JSON.parse(sent!.content)).toMatchObject({ status: 'shipped', carrier: 'DHL' });
  });

  it("returns the MCP server's refusal to the model as a tool error", async () => {
    const before = fake.requests.length;
    fake.script({ toolUses: [{ name: 'cancel-order', input: { order_id: 'A-1003', reason: 'changed my mind' } }] }, { text: 'It was already delivered.' });

    const result = await runtime.invoke('support-bot', { message: 'Cancel A-1003' });

    expect(result.tool_calls[0]).toMatchObject({ name: 'cancel-order', status: 'error' });
    const [sent] = toolResults(fake, before + 1);
    expect(sent).toMatchObject({ is_error: true });
    expect(sent!.content).toContain('delivered and can no longer be cancelled');
  });

  it('computes a refund with the inline Python tool in the sandbox', async () => {
    fake.script({ toolUses: [{ name: 'refund-amount', input: { total: 42.5, percent: 50 } }] }, { text: 'You get 21.25 back.' });

    const result = await runtime.invoke('billing', { message: 'Half refund on 42.50 please' });

    expect(result.tool_calls).toMatchObject([{ name: 'refund-amount', status: 'ok', output: { refund: 21.25 } }]);
  });
});
