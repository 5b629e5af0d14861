/**
 * What every HTTP model provider must do whatever its wire format, as test
 * cases a provider's suite registers inside its `describe`: cancellation
 * (mid-stream, before the first byte, before the call) closes the request and
 * ends with `cancelled`; an unreachable API is an `upstream_error` naming its
 * address, bounded by the caller's signal while the SDK retries.
 */
import { beforeAll, expect, it } from 'vitest';
import { collect } from '../../shared/llm/collect.js';
import type { ModelEvent, ModelProvider, ModelRequest } from '../../shared/llm/types.js';
import { freePort } from '../helpers/free-port.js';
import { failureOf } from '../helpers/rejection.js';

/** The part of a scripted fake server the cases use. */
export interface ContractFake<R> {
  readonly requests: unknown[];
  readonly aborted: number;
  nextAbort(): Promise<void>;
  script(...replies: R[]): unknown;
  respond(fn: () => R): unknown;
}

export interface CancellationTarget<R> {
  fake(): ContractFake<R>;
  provider(): ModelProvider;
  request: ModelRequest;
  /** a reply that streams the text `first`, then never ends */
  hanging: R;
  /** a reply whose first byte would come seconds later */
  late: R;
  /** what the fake answers once the late request has arrived */
  fallback: R;
}

/** Registers the cancellation cases. */
export function cancellationContract<R>(target: CancellationTarget<R>): void {
  it('closes the HTTP request at once when the signal aborts mid-stream and ends with cancelled', async () => {
    const fake = target.fake();
    fake.script(target.hanging);
    const controller = new AbortController();
    const seen: ModelEvent[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of target.provider().stream(target.request, controller.signal)) {
          seen.push(event);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('cancelled');
    expect(seen).toEqual([{ type: 'text', text: 'first' }]);
    await fake.nextAbort();
    expect(fake.aborted).toBeGreaterThanOrEqual(1);
  });

  it('closes the request when the signal aborts before the first byte', async () => {
    const fake = target.fake();
    const arrived = new Promise<void>((resolve) =>
      fake.respond(() => {
        resolve();
        fake.respond(() => target.fallback);
        return target.late;
      }),
    );
    const controller = new AbortController();
    const pending = failureOf(collect(target.provider().stream(target.request, controller.signal)));
    await arrived;
    const before = fake.aborted;
    controller.abort();
    expect((await pending).code).toBe('cancelled');
    await fake.nextAbort();
    expect(fake.aborted).toBe(before + 1);
  });

  it('fails at once with cancelled when the signal is already aborted, without a request', async () => {
    const fake = target.fake();
    const before = fake.requests.length;
    const controller = new AbortController();
    controller.abort();
    const error = await failureOf(collect(target.provider().stream(target.request, controller.signal)));
    expect(error.code).toBe('cancelled');
    expect(fake.requests).toHaveLength(before);
  });
}

export interface UnreachableTarget {
  /** the provider calling `baseURL`, with `maxRetries` SDK retries */
  provider(baseURL: string, maxRetries: number): ModelProvider;
  request: ModelRequest;
  /** the base URL for a server address (e.g. with `/v1`) */
  baseURL(address: string): string;
  /** a secret that must not show in the error */
  apiKey: string;
}

/** Registers the cases of an API nobody listens at. */
export function unreachableContract(target: UnreachableTarget): void {
  let baseURL: string;
  beforeAll(async () => {
    // a port that was just free: nothing listens there any more
    baseURL = target.baseURL(`http://127.0.0.1:${await freePort()}`);
  });

  it('fails with upstream_error naming the base URL, after its retries', async () => {
    const error = await failureOf(collect(target.provider(baseURL, 1).stream(target.request, new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain(baseURL);
    expect(error.message).not.toContain(target.apiKey);
  });

  it("is bounded by the caller's signal while retrying", async () => {
    const t0 = Date.now();
    const error = await failureOf(collect(target.provider(baseURL, 10).stream(target.request, AbortSignal.timeout(300))));
    expect(error.code).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
}
