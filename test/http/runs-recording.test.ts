/**
 * How runs are recorded: appends coalesced behind a slow store, bounded
 * memory behind a reader that does not read, a store failure that still
 * answers the connected client, and a run that pauses for approvals.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/telemetry/logger.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { RunEvent } from '../../shared/loop/types.js';
import type { PendingApproval } from '../../shared/runs/types.js';
import { appWith, post, readEvents, type LogRecord } from './helpers.js';
import { ControlledStore, gatedScript, sseReader, texts } from './runs-helpers.js';
import type { AgentScript } from '../helpers/fake-runtime.js';

/** An app whose debug log lines (the recorder's `run recorded`) are kept. */
function recordedApp(agents: Record<string, AgentScript>, runs = new MemoryRunStore()) {
  const records: LogRecord[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => records.push(JSON.parse(line) as LogRecord) });
  return { ...appWith({ agents }, { runs, logger }), records, runs };
}

const manyTexts = (n: number): AgentScript =>
  async function* () {
    for (let i = 0; i < n; i++) yield { type: 'text', data: { text: `${i} ` } };
  };

describe('recording a run', () => {
  it('coalesces the events that arrive while an append is in flight into the next append, in order', async () => {
    const store = new ControlledStore(new MemoryRunStore());
    let produced = false;
    const script: AgentScript = async function* () {
      yield* texts(100);
      produced = true;
    };
    const { app } = appWith({ agents: { many: script } }, { runs: store });
    store.hold = true;
    const res = await app.request('/v1/agents/many/invoke', post({ message: 'go', detach: true }));
    const id = res.headers.get('x-run-id')!;
    const following = app.request(`/v1/runs/${id}/events`);
    // the `run` event's append is held while the run produces all its text
    while (!produced) await new Promise((resolve) => setImmediate(resolve));

    store.releaseAppends();
    const events = await readEvents(await following);

    expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: 102 }, (_, i) => i + 1));
    expect(events.slice(1, -1).map((e) => JSON.parse(e.data).text)).toEqual(texts(100).map((e) => (e.data as { text: string }).text));
    expect(store.appended).toEqual([1, 100, 1]);
  });

  it('keeps memory bounded behind a stream reader that does not read, and the reader later gets every event in order', async () => {
    const { app, records } = recordedApp({ many: manyTexts(2000) });
    const stream = await app.request('/v1/agents/many/stream', post({ message: 'go' }));
    const id = stream.headers.get('x-run-id')!;

    // the run goes to its end while nobody reads its stream
    const follower = await readEvents(await app.request(`/v1/runs/${id}/events`));
    const recorded = records.find((r) => r.msg === 'run recorded' && r.run_id === id)!;
    const late = await readEvents(stream);

    expect(follower).toHaveLength(2002);
    expect(recorded).toMatchObject({ status: 'succeeded', last_seq: 2002, log_incomplete: false });
    expect(recorded.max_buffered as number).toBeLessThanOrEqual(512);
    expect(late.map((e) => Number(e.id))).toEqual(follower.map((e) => Number(e.id)));
  });

  it('still answers the connected client when the store fails mid-run, and says the log is incomplete', async () => {
    const store = new ControlledStore(new MemoryRunStore());
    const gate = gatedScript(texts(3));
    const { app } = appWith({ agents: { gated: gate.script } }, { runs: store });
    const stream = await app.request('/v1/agents/gated/stream', post({ message: 'go' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');

    store.failAppends = true;
    gate.release();
    const rest = await reader.rest();
    const invoke = await app.request('/v1/agents/gated/invoke', post({ message: 'go' }));
    const follower = await readEvents(await app.request(`/v1/runs/${id}/events`));

    expect(rest.map((e) => `${e.id}:${e.event}`)).toEqual(['2:text', '3:text', '4:text', '5:done']);
    expect(await (await app.request(`/v1/runs/${id}`)).json()).toMatchObject({ status: 'succeeded', result: { output: 't0 t1 t2 ' }, log_incomplete: true });
    expect(invoke.status).toBe(200);
    expect(invoke.headers.get('x-run-log')).toBe('incomplete');
    // a reader that needs the lost events is told, not given a gap
    expect(follower.map((e) => e.event)).toEqual(['run']);
  });
});

describe('a run that pauses for approvals', () => {
  const approval: PendingApproval = { id: 'a1', tool_call_id: 'tu1', skill: 'refund', input: { amount: 5 }, expires_at: '2099-01-01T00:00:00.000Z' };
  const pausing = (): AsyncIterable<RunEvent> =>
    (async function* () {
      yield { type: 'text', data: { text: 'Refunding.' } };
      yield { type: 'approval_required', data: approval };
      yield { type: 'waiting', data: { approvals: [approval], checkpoint: { messages: ['kept'] } } };
    })();

  it('logs approval_required and waiting without the checkpoint, which only the record keeps', async () => {
    const runs = new MemoryRunStore();
    const { app, runtime } = appWith({}, { runs });
    runtime.stream = pausing;

    const res = await app.request('/v1/agents/echo/stream', post({ message: 'refund' }));
    const events = await readEvents(res);
    const id = res.headers.get('x-run-id')!;

    expect(events.map((e) => e.event)).toEqual(['run', 'text', 'approval_required', 'waiting']);
    expect(JSON.parse(events[3]!.data)).toEqual({ run_id: id, approvals: [approval] });
    expect(JSON.stringify(await runs.read(id, 0))).not.toContain('kept');
    expect(await runs.get(id)).toMatchObject({ status: 'waiting', pending_approvals: [approval], checkpoint: { messages: ['kept'] } });
    const view = (await (await app.request(`/v1/runs/${id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'waiting', approvals: [approval], last_event_id: 4 });
    expect(view).not.toHaveProperty('checkpoint');
  });

  it('answers a paused JSON invoke with 202 and the approvals', async () => {
    const { app, runtime } = appWith();
    runtime.stream = pausing;
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'refund' }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ run_id: res.headers.get('x-run-id'), status: 'waiting', approvals: [approval] });
  });

  it('cancels a waiting run at once (no instance drives it), and fails closed when its log could not be written', async () => {
    const store = new ControlledStore(new MemoryRunStore());
    const { app, runtime } = appWith({}, { runs: store });
    runtime.stream = pausing;
    const waiting = await app.request('/v1/agents/echo/invoke', post({ message: 'refund' }));
    const cancel = await app.request(`/v1/runs/${waiting.headers.get('x-run-id')}/cancel`, { method: 'POST' });
    store.failAppends = true;
    const broken = await app.request('/v1/agents/echo/invoke', post({ message: 'refund' }));

    expect(await cancel.json()).toMatchObject({ status: 'cancelled', error: { error: 'cancelled' } });
    expect(broken.status).toBe(503);
    expect(await (await app.request(`/v1/runs/${broken.headers.get('x-run-id')}`)).json()).toMatchObject({ status: 'failed', error: { error: 'unavailable' } });
  });
});
