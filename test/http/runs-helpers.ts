/** Helpers of the run tests: scripts the test releases event by event, an incremental SSE reader, store wrappers. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { LoggedEvent, Run, RunStore } from '../../shared/runs/types.js';
import type { AgentScript, ScriptEvent } from '../helpers/fake-runtime.js';

/** A script that yields `events` one by one, each only once the test has released it. */
export function gatedScript(events: ScriptEvent[]) {
  let released = 0;
  let wake: (() => void) | undefined;
  const script: AgentScript = async function* (request) {
    for (let i = 0; i < events.length; i++) {
      while (released <= i) {
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      yield events[i]!;
    }
  };
  return {
    script,
    /** lets `n` more events through (all when omitted) */
    release(n = events.length) {
      released += n;
      wake?.();
    },
  };
}

export const texts = (n: number, prefix = 't'): ScriptEvent[] => Array.from({ length: n }, (_, i) => ({ type: 'text', data: { text: `${prefix}${i} ` } }));

/** Reads an SSE response event by event; `cancel()` drops the connection. */
export function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  let ended = false;
  return {
    /** the next event, or undefined once the stream has ended */
    async next(): Promise<EventSourceMessage | undefined> {
      while (queue.length === 0 && !ended) {
        const { done, value } = await reader.read();
        if (done) ended = true;
        else parser.feed(decoder.decode(value, { stream: true }));
      }
      return queue.shift();
    },
    /** every event up to the end */
    async rest(): Promise<EventSourceMessage[]> {
      const out: EventSourceMessage[] = [];
      for (let e = await this.next(); e; e = await this.next()) out.push(e);
      return out;
    },
    cancel: () => reader.cancel(),
  };
}

/** A store that forwards to `inner` and lets a test break `append` or hold each one until released. */
export class ControlledStore implements RunStore {
  failAppends = false;
  hold = false;
  appended: number[] = [];
  private waiting: (() => void)[] = [];

  constructor(private readonly inner: RunStore) {}

  /** lets the held appends go on */
  releaseAppends(): void {
    this.hold = false;
    for (const go of this.waiting.splice(0)) go();
  }

  get heldAppends(): number {
    return this.waiting.length;
  }

  create(run: Omit<Run, 'version'>) {
    return this.inner.create(run);
  }
  get(id: string) {
    return this.inner.get(id);
  }
  put(run: Run, expectedVersion: number) {
    return this.inner.put(run, expectedVersion);
  }
  async append(id: string, events: readonly { type: string; data: unknown }[]): Promise<number> {
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failAppends) throw new Error('the store is down');
    this.appended.push(events.length);
    return this.inner.append(id, events);
  }
  read(id: string, after: number, limit?: number): Promise<LoggedEvent[]> {
    return this.inner.read(id, after, limit);
  }
  wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal) {
    return this.inner.wait(id, after, timeoutMs, signal);
  }
  close() {
    return this.inner.close();
  }
}
