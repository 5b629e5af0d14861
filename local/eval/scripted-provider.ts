/**
 * A deterministic model shipped with the product, for runs that must not
 * reach a real model (`agentspec eval` without `--live`). It plays a script
 * of turns: the n-th model call of a conversation (n = the assistant
 * messages already in it) gets turn n; past the end it repeats the last turn
 * that has no tool calls, or answers empty. Each turn streams its text, then
 * its tool calls, with zero token usage. In a turn's text, `{{tool_result}}`
 * stands for the content of the latest tool result in the conversation, so a
 * scripted answer can show what a tool really returned. It never touches the
 * network.
 */
import type { Message, ModelEvent, ModelProvider, ModelRequest } from '../../shared/llm/types.js';

const TOOL_RESULT = '{{tool_result}}';

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
      const text = turn.text?.replaceAll(TOOL_RESULT, () => latestToolResult(request.messages));
      if (text) yield { type: 'text', text };
      const calls = turn.tool_calls ?? [];
      for (const [i, call] of calls.entries()) yield { type: 'tool_use', id: `scripted_${index}_${i}`, name: call.name, input: call.input };
      yield { type: 'usage', usage: { input: 0, output: 0, cache_read: 0, cache_write: 0 } };
      yield { type: 'stop', reason: calls.length > 0 ? 'tool_use' : 'end_turn' };
    },
  };
}

function latestToolResult(messages: readonly Message[]): string {
  for (let m = messages.length - 1; m >= 0; m--) {
    const blocks = messages[m]!.content;
    for (let b = blocks.length - 1; b >= 0; b--) {
      const block = blocks[b]!;
      if (block.type === 'tool_result') return block.content;
    }
  }
  return '';
}
