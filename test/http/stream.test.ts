/** The SSE route: event names, payloads and ids of a run with tool calls, errors, and validation before streaming. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { failingScript, type AgentScript } from '../helpers/fake-runtime.js';
import { appWith, post, readEvents } from './helpers.js';

const withTools: AgentScript = async function* () {
  yield { type: 'text', data: { text: 'Let me look. ' } };
  yield { type: 'tool_call_start', data: { id: 't1', name: 'lookup', input: { q: 'tea' } } };
  yield { type: 'tool_call_end', data: { id: 't1', name: 'lookup', input: { q: 'tea' }, output: { hits: 3 }, status: 'ok', duration_ms: 4 } };
  yield { type: 'text', data: { text: 'Found 3.' } };
};

describe('POST /v1/agents/{name}/stream', () => {
  it('streams run, text, tool_call_start, tool_call_end and done with incrementing ids', async () => {
    // Prepare
    const { app } = appWith({ agents: { researcher: withTools } });
    // Act
    const res = await app.request('/v1/agents/researcher/stream', post({ message: 'tea?' }));
    const events = await readEvents(res);
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(events.map((e) => e.event)).toEqual(['run', 'text', 'tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(JSON.parse(events[0]!.data)).toEqual({ run_id: res.headers.get('x-run-id') });
    expect(JSON.parse(events[2]!.data)).toEqual({ id: 't1', name: 'lookup', input: { q: 'tea' } });
    expect(JSON.parse(events[3]!.data)).toEqual({ id: 't1', name: 'lookup', input: { q: 'tea' }, output: { hits: 3 }, status: 'ok', duration_ms: 4 });
    const done = JSON.parse(events[5]!.data);
    expect(done).toMatchObject({ output: 'Let me look. Found 3.', turns: 1, tool_calls: [{ id: 't1', status: 'ok' }] });
  });

  it('ends with an error event when the run fails', async () => {
    const { app } = appWith({
      agents: { bad: failingScript(new AgentSpecError(ErrorCode.BudgetExceeded, 'Token budget of 10 exceeded.', { details: { budget: 10 } })) },
    });
    const events = await readEvents(await app.request('/v1/agents/bad/stream', post({ message: 'hi' })));
    expect(events.map((e) => e.event)).toEqual(['run', 'error']);
    expect(JSON.parse(events[1]!.data)).toEqual({ error: 'budget_exceeded', message: 'Token budget of 10 exceeded.', details: { budget: 10 } });
  });

  it('validates before streaming: errors are plain JSON responses', async () => {
    const { app } = appWith();
    const invalid = await app.request('/v1/agents/echo/stream', post({}));
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toContain('application/json');
    const missing = await app.request('/v1/agents/ghost/stream', post({ message: 'hi' }));
    expect(missing.status).toBe(404);
  });
});
