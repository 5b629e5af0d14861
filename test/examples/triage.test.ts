/**
 * The bundled 3.0 example runs as its comments promise: `on input` answers a
 * greeting from its config parameter and the opening hours from its inline
 * bash tool without calling the model, its guardrail keeps a card number
 * from the model, and anything else goes to the model (the scripted fake).
 */
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeRuntime } from '../../shared/compose/index.js';
import type { AgentRuntime } from '../../shared/loop/types.js';
import { loadPackage } from '../../local/package/load-package.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { requireCommand } from '../helpers/require-system.js';

const FILE = resolve('examples/triage/agents.ias');

describe('examples/triage', () => {
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

  it('answers a greeting from its config parameter without a model call', async () => {
    const before = fake.requests.length;
    const result = await runtime.invoke('desk', { message: 'Hello' });
    expect(result.output).toBe('Welcome to Leaf & Kettle! How can I help?');
    expect(result.validation).toEqual({ warnings: [] });
    expect(fake.requests.length).toBe(before);
  });

  it('takes the greeting from the request config when the caller sets one', async () => {
    const result = await runtime.invoke('desk', { message: 'hi', config: { greeting: 'Hi there!' } });
    expect(result.output).toBe('Hi there!');
  });

  it('answers opening hours from its inline bash tool in the sandbox, without a model call', async () => {
    const before = fake.requests.length;
    const result = await runtime.invoke('desk', { message: 'When are you open?' });
    expect(result.output).toContain('Open 9:00-18:00 on today');
    expect(result.tool_calls).toMatchObject([{ name: 'hours', status: 'ok' }]);
    expect(fake.requests.length).toBe(before);
  });

  it('keeps a card number from the model with its guardrail', async () => {
    const before = fake.requests.length;
    const result = await runtime.invoke('desk', { message: 'My card is 4111 1111 1111 1111, refund me' });
    expect(result.output).toBe('Please never send card numbers here.');
    expect(result.guardrails).toMatchObject([{ guardrail: 'no-cards', mode: 'block', side: 'input' }]);
    expect(fake.requests.length).toBe(before);
  });

  it('sends anything else to the model and checks the answer with its rules', async () => {
    fake.script({ text: 'We sell green and black teas.' });
    const result = await runtime.invoke('desk', { message: 'What teas do you sell?' });
    expect(result.output).toBe('We sell green and black teas.');
    expect(result.validation).toEqual({ warnings: [] });
  });
});
