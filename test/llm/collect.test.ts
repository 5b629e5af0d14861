import { describe, expect, it } from 'vitest';
import { collect } from '../../shared/llm/collect.js';
import type { ModelEvent } from '../../shared/llm/types.js';

async function* eventsOf(...events: ModelEvent[]): AsyncGenerator<ModelEvent> {
  yield* events;
}

describe('collect', () => {
  it('joins text deltas and gathers tool uses, usage and stop reason', async () => {
    const response = await collect(
      eventsOf(
        { type: 'text', text: 'a' },
        { type: 'tool_use', id: 't1', name: 'x', input: { n: 1 } },
        { type: 'text', text: 'b' },
        { type: 'usage', usage: { input: 3, output: 4, cache_read: 5, cache_write: 6 } },
        { type: 'stop', reason: 'tool_use' },
      ),
    );
    expect(response).toEqual({
      text: 'ab',
      toolUses: [{ id: 't1', name: 'x', input: { n: 1 } }],
      usage: { input: 3, output: 4, cache_read: 5, cache_write: 6 },
      stop: 'tool_use',
    });
  });

  it('rethrows a stream failure', async () => {
    async function* failing(): AsyncGenerator<ModelEvent> {
      yield { type: 'text', text: 'partial' };
      throw new Error('cut');
    }
    await expect(collect(failing())).rejects.toThrow('cut');
  });
});
