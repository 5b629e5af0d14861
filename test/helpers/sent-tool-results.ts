/** The `tool_result` blocks of the last message of one request the fake model received: what a tool call handed back to the model. */
import type { FakeAnthropic } from './fake-anthropic/index.js';

export interface SentToolResult {
  content: string;
  is_error?: boolean;
}

export function sentToolResults(fake: FakeAnthropic, index: number): SentToolResult[] {
  const messages = fake.requests[index]!.body.messages as { content: ({ type: string } & Partial<SentToolResult>)[] }[];
  return messages
    .at(-1)!
    .content.filter((b) => b.type === 'tool_result')
    .map((b) => ({ content: String(b.content), ...(b.is_error === undefined ? {} : { is_error: b.is_error }) }));
}
