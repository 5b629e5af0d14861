/**
 * Human approval in the loop: a call of a skill with `approval "required"`
 * pauses the run (approval_required, then waiting with a checkpoint) and
 * `resume` goes on from the checkpoint with the decisions.
 */
import { describe, expect, it } from 'vitest';
import type { IRSkill } from '../../shared/ir/types.js';
import { RunWaitingError } from '../../shared/loop/approval-pause.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { Redactor } from '../../shared/secrets/redactor.js';
import type { ApprovalDecision, Checkpoint, PendingApproval } from '../../shared/runs/types.js';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

function skill(name: string, attrs: Partial<IRSkill['attributes']> = {}): IRSkill {
  return {
    kind: 'Skill',
    name,
    fqn: `test/Skill/${name}`,
    hash: '0'.repeat(64),
    attributes: {
      description: name,
      input_schema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
      tool: { type: 'command', binary: 'true', args: [], timeout_ms: 1000 } as unknown as IRSkill['attributes']['tool'],
      ...attrs,
    },
  };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function waitingOf(events: RunEvent[]): { approvals: PendingApproval[]; checkpoint: Checkpoint } {
  const last = events.at(-1);
  if (last?.type !== 'waiting') throw new Error(`expected waiting, got ${JSON.stringify(last)}`);
  return last.data;
}

function decision(approval: PendingApproval, decided: Partial<ApprovalDecision> = {}): ApprovalDecision {
  return { approval: approval.id, decision: 'approve', decided_at: new Date().toISOString(), ...decided };
}

/** A bot whose `refund` needs approval and whose `lookup` does not; the model asks for both in one turn, then answers. */
function refundBot(options: { clock?: { ms: number }; env?: Record<string, string>; final?: string } = {}) {
  const tools = testTools(
    { name: 'refund', handler: (input) => ({ refunded: (input as { amount: number }).amount }) },
    { name: 'lookup', handler: () => ({ order: 'A1' }) },
  );
  const provider = scriptedProvider(
    useTools({ name: 'lookup', input: { amount: 1 }, id: 'toolu_look' }, { name: 'refund', input: { amount: 30 }, id: 'toolu_refund' }),
    say(options.final ?? 'Refund done.'),
  );
  const clock = options.clock;
  const h = harness(
    provider,
    [agent('bot', { skills: ['refund', 'lookup'] }), skill('refund', { approval: 'required', approval_timeout_seconds: 600 }), skill('lookup')],
    {
      tools,
      env: options.env ?? {},
      ...(clock ? { now: () => clock.ms } : {}),
    },
  );
  return h;
}

describe('a skill that needs approval', () => {
  it('pauses the run: approval_required instead of tool_call_start, the other call of the turn runs, then waiting', async () => {
    const { runtime, tools } = refundBot();

    const events = await collect(runtime.stream('bot', { message: 'refund order A1' }));

    expect(events.map((e) => e.type)).toEqual(['approval_required', 'tool_call_start', 'tool_call_end', 'waiting']);
    const { approvals, checkpoint } = waitingOf(events);
    expect(approvals).toMatchObject([{ tool_call_id: 'toolu_refund', skill: 'refund', input: { amount: 30 } }]);
    expect(events[0]!.data).toEqual(approvals[0]);
    expect(Date.parse(approvals[0]!.expires_at) - Date.now()).toBeGreaterThan(590_000);
    expect(tools.calls.map((c) => c.name)).toEqual(['lookup']);
    expect(JSON.parse(JSON.stringify(checkpoint))).toEqual(checkpoint);
  });

  it('goes on once approved: the call runs once with its input, the model reads the result and answers', async () => {
    const { runtime, tools, provider } = refundBot();
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));

    const events = await collect(runtime.resume(checkpoint, [decision(approvals[0]!)]));

    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.data.output).toBe('Refund done.');
    expect(done.data.turns).toBe(2);
    expect(done.data.tool_calls.map((c) => [c.name, c.status])).toEqual([
      ['lookup', 'ok'],
      ['refund', 'ok'],
    ]);
    expect(tools.calls.filter((c) => c.name === 'refund').map((c) => c.input)).toEqual([{ amount: 30 }]);
    const results = provider.requests[1]!.messages.at(-1)!.content;
    expect(results).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_look', content: '{"order":"A1"}' },
      { type: 'tool_result', tool_use_id: 'toolu_refund', content: '{"refunded":30}' },
    ]);
  });

  it('runs an approved call with the edited input, which the conversation then shows', async () => {
    const { runtime, tools, provider } = refundBot();
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));

    await collect(runtime.resume(checkpoint, [decision(approvals[0]!, { input: { amount: 10 } })]));

    expect(tools.calls.filter((c) => c.name === 'refund').map((c) => c.input)).toEqual([{ amount: 10 }]);
    const turn = provider.requests[1]!.messages.at(-2)!.content.find((b) => b.type === 'tool_use' && b.name === 'refund');
    expect(turn).toMatchObject({ input: { amount: 10 } });
  });

  it('refuses an edited input the skill input schema does not accept, running nothing', async () => {
    const { runtime, tools } = refundBot();
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));

    const events = await collect(runtime.resume(checkpoint, [decision(approvals[0]!, { input: { amount: 'all of it' } })]));

    expect(events.map((e) => e.type)).toEqual(['error']);
    expect(events[0]!.data).toMatchObject({ error: 'invalid_request', details: { skill: 'refund' } });
    expect(tools.calls.filter((c) => c.name === 'refund')).toEqual([]);
  });

  it('tells the model a rejection with its reason and never runs the call', async () => {
    const { runtime, tools, provider } = refundBot({ final: 'I could not refund it.' });
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));

    const events = await collect(runtime.resume(checkpoint, [decision(approvals[0]!, { decision: 'reject', reason: 'over the limit' })]));

    expect(events.at(-1)).toMatchObject({ type: 'done', data: { output: 'I could not refund it.' } });
    expect(tools.calls.filter((c) => c.name === 'refund')).toEqual([]);
    expect(provider.requests[1]!.messages.at(-1)!.content[1]).toEqual({
      type: 'tool_result',
      tool_use_id: 'toolu_refund',
      content: 'The call was rejected by a reviewer: over the limit',
      is_error: true,
    });
    expect(events.find((e) => e.type === 'tool_call_end' && e.data.name === 'refund')).toMatchObject({ data: { status: 'error' } });
  });

  it('counts an approval that expired undecided, or decided too late, as rejected', async () => {
    const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const { runtime, tools, provider } = refundBot({ clock });
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));
    expect(approvals[0]!.expires_at).toBe('2026-01-01T00:10:00.000Z');

    // still in time and undecided: refused
    const early = await collect(runtime.resume(checkpoint, []));
    expect(early[0]).toMatchObject({ type: 'error', data: { error: 'invalid_request' } });

    clock.ms += 601_000;
    const late = await collect(runtime.resume(checkpoint, [decision(approvals[0]!, { decided_at: new Date(clock.ms).toISOString() })]));

    expect(late.at(-1)?.type).toBe('done');
    expect(tools.calls.filter((c) => c.name === 'refund')).toEqual([]);
    expect(provider.requests[1]!.messages.at(-1)!.content[1]).toMatchObject({ is_error: true, content: expect.stringContaining('expired') });
  });

  it('makes invoke throw RunWaitingError, whose JSON has the approvals but not the checkpoint', async () => {
    const { runtime } = refundBot();

    const error = await runtime.invoke('bot', { message: 'refund order A1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RunWaitingError);
    const waiting = error as RunWaitingError;
    expect(waiting.toJSON()).toMatchObject({ error: 'conflict', details: { status: 'waiting', approvals: [{ skill: 'refund' }] } });
    expect(JSON.stringify(waiting.toJSON())).not.toContain('"messages"');
    expect(waiting.checkpoint).toMatchObject({ agent: 'bot' });
  });

  it('refuses a corrupt or foreign checkpoint with a clear error', async () => {
    const { runtime } = refundBot();
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1' })));

    const corrupt = await collect(runtime.resume({ ...checkpoint, messages: 'nope' }, [decision(approvals[0]!)]));
    const foreign = await collect(runtime.resume({ ...checkpoint, agent: 'someone-else' }, [decision(approvals[0]!)]));
    const unknown = await collect(runtime.resume(checkpoint, [{ ...decision(approvals[0]!), approval: 'made-up' }]));

    expect(corrupt).toMatchObject([{ type: 'error', data: { error: 'invalid_request', message: expect.stringContaining('checkpoint cannot be resumed') } }]);
    expect(foreign).toMatchObject([{ type: 'error', data: { error: 'not_found' } }]);
    expect(unknown).toMatchObject([{ type: 'error', data: { error: 'invalid_request' } }]);
  });

  it('keeps secrets out of the checkpoint: secret config values and what a tool printed of them', async () => {
    const secret = 'tok-secret-value-93817';
    const tools = testTools({ name: 'refund' }, { name: 'lookup', handler: () => `the token is ${secret}` });
    const provider = scriptedProvider(useTools({ name: 'lookup', input: {} }), useTools({ name: 'refund', input: { amount: 5 } }), say('ok'));
    const bot = agent('bot', { config: [{ name: 'api_token', type: 'string', required: true, secret: true }] });
    const { runtime } = harness(provider, [bot, skill('refund', { approval: 'required' }), skill('lookup')], {
      tools,
      env: { AGENTSPEC_BOT_API_TOKEN: secret },
    });

    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund', config: {} })));

    expect(JSON.stringify(checkpoint)).not.toContain(secret);
    const resumed = await collect(runtime.resume(checkpoint, [decision(approvals[0]!)]));
    expect(resumed.at(-1)?.type).toBe('done');
  });

  it('keeps a tool secret the redactor knows out of the checkpoint (composed runtimes register tool env secrets there)', async () => {
    const secret = 'tool-env-secret-55120';
    const redactor = new Redactor();
    redactor.register('tool secret', secret);
    const tools = testTools({ name: 'refund' }, { name: 'lookup', handler: () => ({ header: `Bearer ${secret}` }) });
    // the model repeats the secret in the input of the call that waits: the reviewer and the store see it redacted
    const provider = scriptedProvider(useTools({ name: 'lookup', input: {} }, { name: 'refund', input: { amount: 5, note: secret } }));
    const { runtime } = harness(provider, [agent('bot'), skill('refund', { approval: 'required' }), skill('lookup')], { tools, env: {}, redactor });

    const events = await collect(runtime.stream('bot', { message: 'refund' }));

    expect(JSON.stringify(waitingOf(events).checkpoint)).not.toContain(secret);
    expect(JSON.stringify(events.filter((e) => e.type === 'approval_required' || e.type === 'waiting'))).not.toContain(secret);
  });

  it('shows a call input redacted in the tool events and the result stored with the run, while the tool gets it whole', async () => {
    const secret = 'tool-env-secret-55120';
    const redactor = new Redactor();
    redactor.register('tool secret', secret);
    const tools = testTools({ name: 'lookup' });
    const provider = scriptedProvider(useTools({ name: 'lookup', input: { note: secret } }), say('looked up'));
    const { runtime } = harness(provider, [agent('bot'), skill('lookup')], { tools, env: {}, redactor });

    const events = await collect(runtime.stream('bot', { message: 'look it up' }));

    expect(tools.calls.map((c) => c.input)).toEqual([{ note: secret }]);
    expect(events.at(-1)).toMatchObject({ type: 'done', data: { tool_calls: [{ input: { note: '[REDACTED:tool secret]' } }] } });
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('may pause again after a resume, with the limits spent carried on', async () => {
    const tools = testTools({ name: 'refund' });
    const provider = scriptedProvider(useTools({ name: 'refund', input: { amount: 1 } }), useTools({ name: 'refund', input: { amount: 2 } }), say('both done'));
    const { runtime } = harness(provider, [agent('bot'), skill('refund', { approval: 'required' })], { tools, env: {} });

    const first = waitingOf(await collect(runtime.stream('bot', { message: 'two refunds' })));
    const second = waitingOf(await collect(runtime.resume(first.checkpoint, [decision(first.approvals[0]!)])));
    const end = await collect(runtime.resume(second.checkpoint, [decision(second.approvals[0]!)]));

    expect(second.checkpoint).toMatchObject({ spent: { turns: 2 } });
    expect(end.at(-1)).toMatchObject({ type: 'done', data: { output: 'both done', turns: 3, tokens: { input: 30, output: 15 } } });
    expect(tools.calls.map((c) => c.input)).toEqual([{ amount: 1 }, { amount: 2 }]);
  });

  it('saves the whole turn to the session once the resumed run ends', async () => {
    const { runtime } = refundBot();
    const session = await runtime.sessions.create('bot');
    const { approvals, checkpoint } = waitingOf(await collect(runtime.stream('bot', { message: 'refund order A1', sessionId: session.id })));
    expect((await runtime.sessions.get('bot', session.id))!.messages).toEqual([]);

    await collect(runtime.resume(checkpoint, [decision(approvals[0]!)]));

    const saved = (await runtime.sessions.get('bot', session.id))!.messages;
    expect(saved.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(saved.at(-1)!.content).toEqual([{ type: 'text', text: 'Refund done.' }]);
  });
});

describe('the approval override of a deployment', () => {
  it('AGENTSPEC_APPROVAL_<SKILL> makes a skill need approval, or not', async () => {
    const requiredLookup = refundBot({ env: { AGENTSPEC_APPROVAL_LOOKUP: 'required', AGENTSPEC_APPROVAL_REFUND: 'never' } });

    const events = await collect(requiredLookup.runtime.stream('bot', { message: 'refund order A1' }));

    expect(waitingOf(events).approvals.map((a) => a.skill)).toEqual(['lookup']);
    expect(requiredLookup.tools.calls.map((c) => c.name)).toEqual(['refund']);
  });

  it('refuses a value other than required or never when the runtime starts', () => {
    expect(() => refundBot({ env: { AGENTSPEC_APPROVAL_REFUND: 'nope' } })).toThrow(/AGENTSPEC_APPROVAL_REFUND must be "required" or "never"/);
  });
});

describe('where a run cannot wait', () => {
  it('a delegate calling a skill that needs approval gets an error result; the skill never runs', async () => {
    const tools = testTools({ name: 'refund' });
    const provider = scriptedProvider(
      useTools({ name: 'delegate_to_helper', input: { message: 'refund it' } }),
      useTools({ name: 'refund', input: { amount: 3 } }),
      say('helper: could not'),
      say('done'),
    );
    const { runtime } = harness(
      provider,
      [agent('bot', { delegates: [{ agent: 'helper', when: 'refunds' }] }), agent('helper'), skill('refund', { approval: 'required' })],
      { tools, env: {} },
    );

    const result = await runtime.invoke('bot', { message: 'refund' });

    expect(result.output).toBe('done');
    expect(tools.calls).toEqual([]);
    expect(provider.requests[2]!.messages.at(-1)!.content[0]).toMatchObject({ is_error: true, content: expect.stringContaining('needs a person') });
  });
});
