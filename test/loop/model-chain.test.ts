/** Model fallback chains: retryable provider failures go to the next model (any provider), others do not; the result names the model that answered. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { Runtime } from '../../shared/loop/runtime.js';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { say, scriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';

const upstream = (status: number) => new AgentSpecError(ErrorCode.UpstreamError, `The API answered ${status}.`, { details: { status } });

const chained = agent('bot', { model: 'claude-sonnet-4-20250514', models: ['claude-sonnet-4-20250514', 'openai/gpt-4o-mini', 'claude-haiku-4-5'] });

function runtimeWith(providers: Record<string, ScriptedProvider>, events: TelemetryEvent[] = []): Runtime {
  return Runtime.fromIR(irOf(chained), { providerFor: (name) => providers[name]!, tools: testTools(), observer: { record: (e) => events.push(e) } });
}

describe('model chains', () => {
  it('sends the call to the next model, on another provider, when the first is overloaded, and says which model answered', async () => {
    const anthropic = scriptedProvider({ error: upstream(529) });
    const openai = scriptedProvider(say('from openai'));
    const events: TelemetryEvent[] = [];

    const result = await runtimeWith({ anthropic, openai }, events).invoke('bot', { message: 'hi' });

    expect(result.output).toBe('from openai');
    expect(result.model).toBe('openai/gpt-4o-mini');
    expect(openai.requests[0]!.model).toBe('gpt-4o-mini');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'model_fallback', from: 'claude-sonnet-4-20250514', to: 'openai/gpt-4o-mini', error_code: 'upstream_error' }),
    );
  });

  it.each([
    ['429', upstream(429)],
    ['a 500', upstream(500)],
    ['a lost connection', new AgentSpecError(ErrorCode.UpstreamError, 'Could not reach the API.')],
  ])('falls through on %s', async (_name, error) => {
    const anthropic = scriptedProvider({ error }, say('haiku here'));
    const openai = scriptedProvider({ error: upstream(503) });
    const result = await runtimeWith({ anthropic, openai }).invoke('bot', { message: 'hi' });
    expect(result).toMatchObject({ output: 'haiku here', model: 'claude-haiku-4-5' });
    expect(anthropic.requests.map((r) => r.model)).toEqual(['claude-sonnet-4-20250514', 'claude-haiku-4-5']);
  });

  it.each([
    ['a rejected request (400)', upstream(400)],
    ['a bad key (401)', upstream(401)],
    ['a missing key', new AgentSpecError(ErrorCode.Unavailable, 'No API key.')],
  ])('does not fall through on %s', async (_name, error) => {
    const anthropic = scriptedProvider({ error });
    const openai = scriptedProvider(say('never'));
    await expect(runtimeWith({ anthropic, openai }).invoke('bot', { message: 'hi' })).rejects.toMatchObject({ code: error.code });
    expect(openai.requests).toHaveLength(0);
  });

  it('fails with the last error when every model fails', async () => {
    const anthropic = scriptedProvider({ error: upstream(529) }, { error: upstream(502) });
    const openai = scriptedProvider({ error: upstream(503) });
    await expect(runtimeWith({ anthropic, openai }).invoke('bot', { message: 'hi' })).rejects.toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('502'),
    });
  });

  it('never re-sends a call whose stream already gave text to another model', async () => {
    const anthropic = scriptedProvider({ text: 'half an ans', error: upstream(500) });
    const openai = scriptedProvider(say('never'));
    await expect(runtimeWith({ anthropic, openai }).invoke('bot', { message: 'hi' })).rejects.toMatchObject({ code: 'upstream_error' });
    expect(openai.requests).toHaveLength(0);
  });

  it('keeps to the model that answered for the rest of the invocation', async () => {
    const tools = testTools({ name: 'lookup', handler: () => 'found' });
    const anthropic = scriptedProvider({ error: upstream(529) });
    const openai = scriptedProvider({ toolUses: [{ name: 'lookup', input: {} }] }, say('done'));
    const runtime = Runtime.fromIR(irOf(chained), { providerFor: (name) => ({ anthropic, openai })[name]!, tools });

    const result = await runtime.invoke('bot', { message: 'hi' });

    expect(result).toMatchObject({ output: 'done', turns: 2, model: 'openai/gpt-4o-mini' });
    expect(anthropic.requests).toHaveLength(1);
  });

  it('reports no model for an agent without a chain', async () => {
    const runtime = Runtime.fromIR(irOf(agent('bot')), { providerFor: () => scriptedProvider(say('hi')), tools: testTools() });
    expect((await runtime.invoke('bot', { message: 'hi' })).model).toBeUndefined();
  });
});
