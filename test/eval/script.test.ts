/** The scripted model and its script file. */
import { describe, expect, it } from 'vitest';
import { parseScript, turnsForCase, unusedScriptKeys } from '../../local/eval/script.js';
import type { EvalTarget } from '../../shared/eval/types.js';
import { collect } from '../../shared/llm/collect.js';
import { createScriptedProvider } from '../../local/eval/scripted-provider.js';
import type { Message } from '../../shared/llm/types.js';

const target = (agent: string, name: string, expectText?: string): EvalTarget => ({
  agent,
  case: { name, input: 'hi', scoring: 'exact', threshold: 0.8, tags: [], ...(expectText === undefined ? {} : { expect: expectText }) },
});
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

describe('scripted model', () => {
  it('plays turn n for the n-th model call of a conversation, then repeats the last text-only turn', async () => {
    const model = createScriptedProvider(() => [{ text: 'let me look', tool_calls: [{ name: 'lookup', input: { id: 1 } }] }, { text: 'found it' }]);
    const call = (messages: Message[]) => collect(model.stream({ model: 'm', messages }, new AbortController().signal));
    const first = await call([user('hi')]);
    expect(first).toMatchObject({ text: 'let me look', toolUses: [{ id: 'scripted_0_0', name: 'lookup', input: { id: 1 } }], stop: 'tool_use' });
    expect(await call([user('hi'), assistant('let me look'), user('result')])).toMatchObject({ text: 'found it', toolUses: [], stop: 'end_turn' });
    expect((await call([user('a'), assistant('b'), user('c'), assistant('d'), user('e')])).text).toBe('found it');
  });

  it('puts the latest tool result where a turn says {{tool_result}}', async () => {
    const model = createScriptedProvider(() => [{ tool_calls: [{ name: 't', input: {} }] }, { text: 'status: {{tool_result}}' }]);
    const messages: Message[] = [
      user('hi'),
      { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 't', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: '{"status":"shipped"}' }] },
    ];
    expect((await collect(model.stream({ model: 'm', messages }, new AbortController().signal))).text).toBe('status: {"status":"shipped"}');
  });

  it('refuses to answer once aborted', async () => {
    const model = createScriptedProvider(() => [{ text: 'x' }]);
    const controller = new AbortController();
    controller.abort();
    await expect(collect(model.stream({ model: 'm', messages: [user('hi')] }, controller.signal))).rejects.toThrow();
  });

  it('answers a case with its expect by default; a script entry by case or agent/case replaces that', () => {
    const script = parseScript({ greets: 'Hi!', 'billing/greets': [{ text: 'Billing here' }] }, 's.json');
    expect(turnsForCase(target('support', 'other', 'want'), script)).toEqual([{ text: 'want' }]);
    expect(turnsForCase(target('support', 'greets'), script)).toEqual([{ text: 'Hi!' }]);
    expect(turnsForCase(target('billing', 'greets'), script)).toEqual([{ text: 'Billing here' }]);
    expect(turnsForCase(target('x', 'no-expect'))).toEqual([{ text: '' }]);
    expect(unusedScriptKeys(script, [target('support', 'greets')])).toEqual(['billing/greets']);
  });

  it('a malformed script is an error naming the entry', () => {
    expect(() => parseScript([], 's.json')).toThrow('s.json: the script must be an object mapping case names to model turns.');
    expect(() => parseScript({ a: [] }, 's.json')).toThrow('s.json: "a" must be a string or a non-empty list of turns.');
    expect(() => parseScript({ a: [{ txt: 'x' }] }, 's.json')).toThrow('s.json: "a" turn 1 has unknown field "txt" (turns take text and tool_calls).');
    expect(() => parseScript({ a: [{ tool_calls: [{ input: {} }] }] }, 's.json')).toThrow('"a" turn 1 tool call 1 needs a "name" and an object "input"');
  });
});
