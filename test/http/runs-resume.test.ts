/** Resuming a run's stream: a reconnect with Last-Event-ID gets exactly the events it missed, live or after the end, on any instance. */
import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import { pausingScript, pendingApproval, type ScriptEvent } from '../helpers/fake-runtime.js';
import { appWith, post, readEvents } from './helpers.js';
import { gatedScript, sseReader, texts } from './runs-helpers.js';

const TOOL: ScriptEvent[] = [
  { type: 'text', data: { text: 'Let me look. ' } },
  { type: 'text', data: { text: 'One moment. ' } },
  { type: 'tool_call_start', data: { id: 't1', name: 'lookup', input: { q: 'tea' } } },
  { type: 'tool_call_end', data: { id: 't1', name: 'lookup', input: { q: 'tea' }, output: { hits: 3 }, status: 'ok', duration_ms: 4 } },
  { type: 'text', data: { text: 'Found 3.' } },
];
const ALL = ['run', 'text', 'text', 'tool_call_start', 'tool_call_end', 'text', 'done'];
const ids = (events: EventSourceMessage[]) => events.map((e) => `${e.id}:${e.event}`);

describe('GET /v1/runs/{id}/events after a cut', () => {
  it.each([
    ['before the first event', 0],
    ['mid-text', 2],
    ['mid-tool', 4],
    ['after done', 7],
  ])('%s: the reconnect gets exactly the missing events', async (_point, seen) => {
    const gate = gatedScript(TOOL);
    const { app } = appWith({ agents: { tools: gate.script } });
    const stream = await app.request('/v1/agents/tools/stream', post({ message: 'tea?', detach: true }));
    const id = stream.headers.get('x-run-id')!;
    const first = sseReader(stream);
    const before: EventSourceMessage[] = [];
    // the events the first connection saw, released one by one so the cut falls where the case says
    for (let i = 0; i < seen; i++) {
      if (i > 0) gate.release(1);
      before.push((await first.next())!);
    }
    await first.cancel();
    const resumed = app.request(`/v1/runs/${id}/events`, seen > 0 ? { headers: { 'last-event-id': String(seen) } } : {});
    gate.release();

    const after = await readEvents(await resumed);

    expect([...ids(before), ...ids(after)]).toEqual(ALL.map((event, i) => `${i + 1}:${event}`));
  });

  it('takes ?after= like Last-Event-ID', async () => {
    const gate = gatedScript(TOOL);
    const { app } = appWith({ agents: { tools: gate.script } });
    const res = await app.request('/v1/agents/tools/invoke', post({ message: 'tea?', detach: true }));
    gate.release();
    const events = await readEvents(await app.request(`/v1/runs/${res.headers.get('x-run-id')}/events?after=5`));
    expect(ids(events)).toEqual(['6:text', '7:done']);
  });

  it('50 concurrent readers of one run each see every event once, in order, here and on a second instance', async () => {
    const runs = new MemoryRunStore();
    const events = texts(300);
    const gate = gatedScript(events);
    const a = appWith({ agents: { many: gate.script } }, { runs });
    const b = appWith({ agents: { many: gate.script } }, { runs });
    const res = await a.app.request('/v1/agents/many/invoke', post({ message: 'go', detach: true }));
    const id = res.headers.get('x-run-id')!;
    // half follow on the instance driving the run (its tail), half on the other one (the store)
    const readers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).app.request(`/v1/runs/${id}/events`)));
    const reading = readers.map(async (r) => ids(await readEvents(r)));
    for (let i = 0; i < events.length; i += 10) gate.release(10);

    const seen = await Promise.all(reading);

    const expected = ['1:run', ...events.map((_, i) => `${i + 2}:text`), `${events.length + 2}:done`];
    for (const s of seen) expect(s).toEqual(expected);
  });

  it('a second instance sharing the store serves the status and events of a run the first one drives', async () => {
    const runs = new MemoryRunStore();
    const gate = gatedScript(TOOL);
    const a = appWith({ agents: { tools: gate.script } }, { runs });
    const b = appWith({ agents: { tools: gate.script } }, { runs });
    const stream = await a.app.request('/v1/agents/tools/stream', post({ message: 'tea?' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');
    expect(await (await b.app.request(`/v1/runs/${id}`)).json()).toMatchObject({ status: 'running', kind: 'stream', target: 'tools' });

    const following = b.app.request(`/v1/runs/${id}/events`, { headers: { 'last-event-id': '1' } });
    gate.release();
    const onB = await readEvents(await following);
    const onA = await reader.rest();

    expect(ids(onB)).toEqual(ids(onA));
    expect(onB.at(-1)?.event).toBe('done');
    expect(await (await b.app.request(`/v1/runs/${id}`)).json()).toMatchObject({ status: 'succeeded', last_event_id: 7 });
  });
});

describe('a run resumed after its approvals', () => {
  it('is followed from the start through its pause to its end, on the instance that resumed it and on another', async () => {
    const runs = new MemoryRunStore();
    const options = { agents: { desk: pausingScript(() => [pendingApproval('refund', { amount: 5 })]) } };
    const a = appWith(options, { runs });
    const b = appWith(options, { runs });
    const paused = await a.app.request('/v1/agents/desk/invoke', post({ message: 'refund' }));
    const { run_id, approvals } = (await paused.json()) as { run_id: string; approvals: { id: string }[] };
    const waitingFrom0 = await readEvents(await b.app.request(`/v1/runs/${run_id}/events`));

    const decided = await a.app.request(`/v1/runs/${run_id}/approvals/${approvals[0]!.id}`, post({ decision: 'approve', detach: true }));
    const onA = a.app.request(`/v1/runs/${run_id}/events`);
    const onB = b.app.request(`/v1/runs/${run_id}/events`);

    expect(decided.status).toBe(202);
    expect(waitingFrom0.at(-1)?.event).toBe('waiting');
    for (const events of [await readEvents(await onA), await readEvents(await onB)]) {
      expect(events.map((e) => e.event)).toEqual(['run', 'text', 'approval_required', 'waiting', 'text', 'done']);
      expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });
});
