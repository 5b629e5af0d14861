import { describe, expect, it } from 'vitest';
import { isApproved } from '../../shared/loop/strategies/reflexion.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider } from '../helpers/scripted-provider.js';
import { harness } from './runtime-factory.js';

describe('reflexion strategy', () => {
  it('revises the answer while the critique finds problems, then returns the approved one', async () => {
    // Prepare
    const provider = scriptedProvider(say('2 + 2 = 5'), say('PROBLEMS\n- the sum is wrong'), say('2 + 2 = 4'), say('APPROVED'));
    const { runtime } = harness(provider, [agent('careful', { strategy: 'reflexion' })]);

    // Act
    const result = await runtime.invoke('careful', { message: 'What is 2 + 2?' });

    // Assess
    expect(result.output).toBe('2 + 2 = 4');
    expect(result.turns).toBe(4);
    const firstCritique = requestText(provider.requests[1]!);
    expect(firstCritique).toContain('APPROVED');
    expect(firstCritique).toContain('2 + 2 = 5');
    const revision = requestText(provider.requests[2]!);
    expect(revision).toContain('the sum is wrong');
    expect(revision).toContain('2 + 2 = 5');
    expect(requestText(provider.requests[3]!)).toContain('2 + 2 = 4');
  });

  it('stops revising when max_turns leaves no room for another critique and revision', async () => {
    const provider = scriptedProvider().otherwise((request, call) => (call % 2 === 0 ? say(`draft ${call}`) : say('PROBLEMS\n- still bad')));
    const { runtime } = harness(provider, [agent('careful', { strategy: 'reflexion', max_turns: 4 })]);

    const result = await runtime.invoke('careful', { message: 'x' });

    // draft, critique, revision, and then only one turn left: the revision stands
    expect(provider.requests).toHaveLength(3);
    expect(result.output).toBe('draft 2');
  });

  it('emits the final answer as the streamed text', async () => {
    const provider = scriptedProvider(say('answer'), say('APPROVED'));
    const { runtime } = harness(provider, [agent('careful', { strategy: 'reflexion' })]);

    const texts: string[] = [];
    for await (const event of runtime.stream('careful', { message: 'x' })) if (event.type === 'text') texts.push(event.data.text);

    expect(texts).toEqual(['answer']);
  });

  it('reads the verdict from the first word of the critique', () => {
    expect(isApproved('APPROVED')).toBe(true);
    expect(isApproved('  **Approved** — looks right')).toBe(true);
    expect(isApproved('PROBLEMS\n- not approved yet')).toBe(false);
    expect(isApproved('The answer is not APPROVED')).toBe(false);
  });
});
