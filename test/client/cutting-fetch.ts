/**
 * A `fetch` that really cuts the first SSE stream it carries: it passes the
 * response through up to a point counted in events (2.5: two whole events
 * and half of the third), then cancels the server's body (the connection
 * closes, as when a network drops) and fails the read the way a dropped
 * socket does. It records every request (method, URL, `Last-Event-ID`).
 */
export interface CuttingFetch {
  fetch: typeof fetch;
  /** how many streams were cut (only the first is) */
  readonly cuts: number;
  readonly requests: { method: string; url: string; lastEventId?: string }[];
}

export function cuttingFetch(options: { afterEvents: number }): CuttingFetch {
  const state = { cuts: 0, requests: [] as CuttingFetch['requests'] };
  const wrapped: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    const lastEventId = new Headers(init?.headers).get('last-event-id');
    state.requests.push({ method, url, ...(lastEventId === null ? {} : { lastEventId }) });
    const response = await fetch(input, init);
    if (method !== 'POST' || !url.endsWith('/stream') || !response.body || state.cuts > 0) return response;
    const body = cutAfter(response.body, options.afterEvents, () => state.cuts++);
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return {
    fetch: wrapped,
    get cuts() {
      return state.cuts;
    },
    requests: state.requests,
  };
}

function cutAfter(body: ReadableStream<Uint8Array>, events: number, onCut: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let text = '';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // hold the bytes back until the cut point has arrived, then let through only what precedes it
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += decoder.decode(value, { stream: true });
        const ends = [...text.matchAll(/\n\n/g)].map((m) => m.index + 2);
        const whole = Math.floor(events);
        const needed = Math.ceil(events);
        if (ends.length < needed) continue;
        const from = whole === 0 ? 0 : ends[whole - 1]!;
        const to = ends[needed - 1]!;
        controller.enqueue(encoder.encode(text.slice(0, from + Math.floor((to - from) * (events - whole)))));
        onCut();
        await reader.cancel();
        controller.error(new TypeError('terminated: the connection was cut'));
        return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
