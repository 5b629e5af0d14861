/**
 * The Server-Sent Events of a response body, parsed (`eventsource-parser`,
 * which runs in browsers and edge runtimes): each event's name, its `id:`
 * as a number when it is one, and its `data:` as JSON.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface SseEvent {
  type: string;
  /** the `id:` line; the run log's seq on the API's streams */
  id: number | undefined;
  data: unknown;
}

/** Reads `body` until it ends; cancelling the iteration (break, return, a throw) cancels the body. */
export async function* readSse(body: NonNullable<Response['body']>): AsyncGenerator<SseEvent, void, undefined> {
  const reader = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const id = value.id === undefined || value.id === '' ? undefined : Number(value.id);
      yield { type: value.event ?? 'message', id: Number.isInteger(id) ? id : undefined, data: JSON.parse(value.data) as unknown };
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
