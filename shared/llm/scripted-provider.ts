/**
 * A deterministic model shipped with the product, for runs that must not
 * reach a real model (`agentspec eval` without `--live`). It plays a script
 * of turns: the n-th model call of a conversation (n = the assistant
 * messages already in it) gets turn n; past the end it repeats the last turn
 * that has no tool calls, or answers empty. Each turn streams its text, then
 * its tool calls, with zero token usage. It never touches the network.
 */
import type { ModelEvent, ModelProvider, ModelRequest } from './types.js';

export interface ScriptedToolCall {
  name: string;
  input: Record<string, unknown>;
}

export interface ScriptedTurn {
  text?: string;
  tool_calls?: ScriptedToolCall[];
}

/** `turnsFor` gives the script for the run making the call (called on each model call). */
export function createScriptedProvider(turnsFor: (request: ModelRequest) => readonly ScriptedTurn[]): ModelProvider {
  return {
    async *stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelEvent> {
      const turns = turnsFor(request);
      const index = request.messages.filter((m) => m.role === 'assistant').length;
      const turn = turns[index] ?? [...turns].reverse().find((t) => !t.tool_calls?.length) ?? { text: '' };
      signal.throwIfAborted();
      if (turn.text) yield { type: 'text', text: turn.text };
      const calls = turn.tool_calls ?? [];
      for (const [i, call] of calls.entries()) yield { type: 'tool_use', id: `scripted_${index}_${i}`, name: call.name, input: call.input };
      yield { type: 'usage', usage: { input: 0, output: 0, cache_read: 0, cache_write: 0 } };
      yield { type: 'stop', reason: calls.length > 0 ? 'tool_use' : 'end_turn' };
    },
  };
}
