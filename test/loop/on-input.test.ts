import { describe, expect, it } from 'vitest';
import type { IRSkill, IRStatement } from '../../shared/ir/types.js';
import { MAX_FOR_EACH_ITEMS } from '../../shared/loop/on-input.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { agent, type AgentAttrs } from '../helpers/ir-builder.js';
import { say, scriptedProvider } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

/** A skill resource whose input declares `fields` (name → [type, required]). */
function skill(name: string, fields: Record<string, [string, boolean]> = { query: ['string', true] }): IRSkill {
  const properties = Object.fromEntries(Object.entries(fields).map(([k, [type]]) => [k, { type }]));
  const required = Object.entries(fields).flatMap(([k, [, req]]) => (req ? [k] : []));
  return {
    kind: 'Skill',
    name,
    fqn: `test/Skill/${name}`,
    hash: '0'.repeat(64),
    attributes: {
      description: name,
      input_schema: { type: 'object', properties, required },
      tool: { type: 'command', binary: 'echo', args: [], timeout_ms: 1000, env: {}, secrets: {} },
    },
  };
}

/** `on_input` as the agent builder takes it (the schema-derived type cannot follow the statements' recursion). */
const onInput = (statements: IRStatement[]) => statements as NonNullable<AgentAttrs['on_input']>;

const echoTools = () =>
  testTools(
    { name: 'lookup', handler: (input) => `looked up ${JSON.stringify(input)}` },
    { name: 'search', handler: () => ({ ids: ['a', 'b', 'c'] }) },
    { name: 'fail', handler: () => Promise.reject(new Error('the backend is down')) },
  );

/** A runtime over one agent `bot` with `on_input`, the skills lookup/search/fail, and a model that answers "model". */
function botWith(on_input: IRStatement[], extra: Parameters<typeof agent>[1] = {}, others: ReturnType<typeof agent>[] = []) {
  const provider = scriptedProvider().otherwise(say('model'));
  const tools = echoTools();
  const h = harness(
    provider,
    [skill('lookup'), skill('search'), skill('fail'), agent('bot', { skills: ['lookup', 'search', 'fail'], on_input: onInput(on_input), ...extra }), ...others],
    { tools, env: {} },
  );
  return { ...h, tools };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const ifElse = (branches: [string, IRStatement[]][], otherwise?: IRStatement[]): IRStatement => ({
  kind: 'if',
  branches: branches.map(([condition, body]) => ({ condition, body })),
  ...(otherwise ? { else: otherwise } : {}),
});

describe('on input', () => {
  it('takes the first true branch of an if / else if chain, and the else when none is true', async () => {
    const block = [
      ifElse(
        [
          ['input == "hello"', [{ kind: 'respond', text: 'first' }]],
          ['input startsWith "he"', [{ kind: 'respond', text: 'second' }]],
        ],
        [{ kind: 'respond', text: 'otherwise' }],
      ),
    ];
    const { runtime, provider } = botWith(block);

    const answers = await Promise.all(['hello', 'help', 'bye'].map((message) => runtime.invoke('bot', { message })));

    expect(answers.map((a) => a.output)).toEqual(['first', 'second', 'otherwise']);
    expect(provider.requests).toHaveLength(0);
    expect(answers[0]).toMatchObject({ turns: 0, tool_calls: [], tokens: { total: 0 } });
  });

  it('runs the model as usual when no statement produced an answer', async () => {
    const { runtime, provider } = botWith([ifElse([['input == "hello"', [{ kind: 'respond', text: 'hi' }]]])]);

    const result = await runtime.invoke('bot', { message: 'something else' });

    expect(result.output).toBe('model');
    expect(provider.requests).toHaveLength(1);
  });

  it('use skill without with gives the message to the skill’s one required string input, and its output is the answer', async () => {
    const { runtime, tools, provider } = botWith([{ kind: 'use_skill', skill: 'lookup' }]);

    const result = await runtime.invoke('bot', { message: 'order 7' });

    expect(tools.calls.map((c) => [c.name, c.input])).toEqual([['lookup', { query: 'order 7' }]]);
    expect(result.output).toBe('looked up {"query":"order 7"}');
    expect(result.tool_calls).toMatchObject([{ id: 'on_input_1', name: 'lookup', input: { query: 'order 7' }, status: 'ok' }]);
    expect(provider.requests).toHaveLength(0);
  });

  it('use skill without with fails clearly, naming the inputs, when the skill takes anything else', async () => {
    const provider = scriptedProvider();
    const { runtime } = harness(
      provider,
      [
        skill('pair', { a: ['string', true], b: ['integer', true] }),
        agent('bot', { skills: ['pair'], on_input: onInput([{ kind: 'use_skill', skill: 'pair' }]) }),
      ],
      { tools: testTools({ name: 'pair' }), env: {} },
    );

    const failure = runtime.invoke('bot', { message: 'x' });

    await expect(failure).rejects.toMatchObject({ code: 'config_error', details: { skill: 'pair', inputs: ['a', 'b'] } });
    await expect(failure).rejects.toThrow(/"pair" takes a \(string, required\), b \(integer, required\): write `use skill pair with \{ … \}`/);
  });

  it('use skill with evaluates each value, for each walks a list with its variable, and steps keeps each skill’s output', async () => {
    const block: IRStatement[] = [
      { kind: 'use_skill', skill: 'search', params: { query: 'input' } },
      { kind: 'for_each', variable: 'id', collection: 'steps.search.ids', body: [{ kind: 'use_skill', skill: 'lookup', params: { query: 'upper(id)' } }] },
      { kind: 'respond', expression: 'join(steps.search.ids, "+")' },
    ];
    const { runtime, tools } = botWith(block);

    const result = await runtime.invoke('bot', { message: 'docs' });

    expect(tools.calls.map((c) => c.input)).toEqual([{ query: 'docs' }, { query: 'A' }, { query: 'B' }, { query: 'C' }]);
    expect(result.output).toBe('a+b+c');
    expect(result.tool_calls.map((c) => c.id)).toEqual(['on_input_1', 'on_input_2', 'on_input_3', 'on_input_4']);
  });

  it('answers with the last action, as the original does: a respond does not end the block', async () => {
    const { runtime } = botWith([
      { kind: 'respond', text: 'early' },
      { kind: 'use_skill', skill: 'lookup', params: { query: '"late"' } },
    ]);

    expect((await runtime.invoke('bot', { message: 'x' })).output).toBe('looked up {"query":"late"}');
  });

  it('runs nested blocks: an if inside a for each inside an if', async () => {
    const block = [
      ifElse([
        [
          'len(input) > 0',
          [
            {
              kind: 'for_each',
              variable: 'w',
              collection: 'split(input, " ")',
              body: [ifElse([['w startsWith "#"', [{ kind: 'use_skill', skill: 'lookup', params: { query: 'w' } }]]])],
            },
          ],
        ],
      ]),
    ];
    const { runtime, tools } = botWith(block);

    const result = await runtime.invoke('bot', { message: 'see #12 and #40 now' });

    expect(tools.calls.map((c) => c.input)).toEqual([{ query: '#12' }, { query: '#40' }]);
    expect(result.output).toBe('looked up {"query":"#40"}');
  });

  it('a for each over nil runs no element; over more than the bound it fails before any element', async () => {
    const over = `split("${'x'.repeat(MAX_FOR_EACH_ITEMS + 1)}", "")`;
    const walk = (collection: string): IRStatement[] => [
      { kind: 'for_each', variable: 'v', collection, body: [{ kind: 'use_skill', skill: 'lookup', params: { query: 'v' } }] },
    ];
    const nil = botWith(walk('session.nothing'));
    const big = botWith(walk(over));

    const viaModel = await nil.runtime.invoke('bot', { message: 'x' });
    const failure = big.runtime.invoke('bot', { message: 'x' });

    expect(viaModel.output).toBe('model');
    await expect(failure).rejects.toMatchObject({ code: 'config_error', details: { limit: MAX_FOR_EACH_ITEMS } });
    await expect(failure).rejects.toThrow(`has ${MAX_FOR_EACH_ITEMS + 1} elements, more than the limit of ${MAX_FOR_EACH_ITEMS}`);
    expect(big.tools.calls).toHaveLength(0);
  });

  it('an expression that fails at run time stops the run with an error naming the expression, never the value', async () => {
    const { runtime, provider } = botWith([ifElse([['int(input) > 3', [{ kind: 'respond', text: 'big' }]]])]);

    const failure = runtime.invoke('bot', { message: 'not-a-number-4711' });

    await expect(failure).rejects.toMatchObject({ code: 'config_error', details: { agent: 'bot', expression: 'int(input) > 3' } });
    await expect(failure).rejects.toThrow(/on input, the condition `int\(input\) > 3` failed/);
    await expect(failure).rejects.not.toThrow(/4711/);
    expect(provider.requests).toHaveLength(0);
  });

  it('a failing skill fails the run with tool_error, and its call is recorded as an error', async () => {
    const { runtime } = botWith([{ kind: 'use_skill', skill: 'fail', params: { query: '"q"' } }]);

    const events = await collect(runtime.stream('bot', { message: 'x' }));

    expect(events.map((e) => e.type)).toEqual(['tool_call_start', 'tool_call_end', 'error']);
    expect(events[1]).toMatchObject({ data: { name: 'fail', status: 'error', error: 'the backend is down' } });
    expect(events[2]).toMatchObject({ data: { error: 'tool_error', message: expect.stringContaining('the backend is down') } });
  });

  it('delegate to runs the agent on the message — its own on input included — with the events of a hand-off', async () => {
    const helper = agent('helper', { on_input: onInput([{ kind: 'respond', expression: 'upper(input)' }]) });
    const { runtime, provider } = botWith([{ kind: 'delegate', agent: 'helper' }], {}, [helper]);

    const events = await collect(runtime.stream('bot', { message: 'pass me on' }));

    expect(events.map((e) => e.type)).toEqual(['tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(events[0]).toEqual({ type: 'tool_call_start', data: { id: 'on_input_1', name: 'delegate_to_helper', input: { message: 'pass me on' } } });
    expect(events[1]).toMatchObject({ data: { status: 'ok', output: 'PASS ME ON' } });
    expect(events[3]).toMatchObject({ type: 'done', data: { output: 'PASS ME ON' } });
    expect(provider.requests).toHaveLength(0);
  });

  it('delegate to an agent without on input runs its model; the delegate’s failure fails the run with its own code', async () => {
    const { runtime } = botWith([{ kind: 'delegate', agent: 'plain' }], {}, [agent('plain')]);
    const missing = botWith([{ kind: 'delegate', agent: 'ghost' }]);

    expect((await runtime.invoke('bot', { message: 'x' })).output).toBe('model');
    await expect(missing.runtime.invoke('bot', { message: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('streams an on input answer as one text event before done', async () => {
    const { runtime } = botWith([{ kind: 'respond', text: 'Hello there' }]);

    const events = await collect(runtime.stream('bot', { message: 'x' }));

    expect(events).toMatchObject([
      { type: 'text', data: { text: 'Hello there' } },
      { type: 'done', data: { output: 'Hello there' } },
    ]);
  });

  it('a failure of on input goes to the fallback agent when on_error says fallback', async () => {
    const { runtime } = botWith([{ kind: 'use_skill', skill: 'fail', params: { query: '"q"' } }], { on_error: 'fallback', fallback: 'backup' }, [
      agent('backup', { on_input: onInput([{ kind: 'respond', text: 'backup answer' }]) }),
    ]);

    expect((await runtime.invoke('bot', { message: 'x' })).output).toBe('backup answer');
  });
});
