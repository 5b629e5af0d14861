/** Non-streaming use of a provider: drain a stream into its text, tool uses, usage and stop reason. */
import type { ModelEvent, StopReason, Usage } from './types.js';
import { ZERO_USAGE } from './types.js';

export interface CollectedResponse {
  text: string;
  toolUses: { id: string; name: string; input: unknown }[];
  usage: Usage;
  stop: StopReason;
}

/** Drains `events` into one response. */
export async function collect(events: AsyncIterable<ModelEvent>): Promise<CollectedResponse> {
  const out: CollectedResponse = { text: '', toolUses: [], usage: { ...ZERO_USAGE }, stop: 'other' };
  for await (const event of events) {
    switch (event.type) {
      case 'text':
        out.text += event.text;
        break;
      case 'tool_use':
        out.toolUses.push({ id: event.id, name: event.name, input: event.input });
        break;
      case 'usage':
        out.usage = { ...event.usage };
        break;
      case 'stop':
        out.stop = event.reason;
        break;
    }
  }
  return out;
}
