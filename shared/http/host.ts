/**
 * What a host gives a request beside it (Hono's execution context): Lambda's
 * handlers take the promises of work that outlives the response
 * (`waitUntil`) and put the invocation's deadline signal in `props.signal`.
 * Node servers give no execution context; then both are no-ops.
 */
import type { Context } from 'hono';

/** Hands work that may outlive the response to the host, when it takes it. */
export function keepAlive(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // no execution context (Node servers): the process keeps running anyway
  }
}

/** The host's signal that a run must stop whatever the client asked (a Lambda invocation's deadline). */
export function hostSignal(c: Context): AbortSignal | undefined {
  try {
    const props: unknown = (c.executionCtx as { props?: unknown }).props;
    const signal = typeof props === 'object' && props !== null ? (props as { signal?: unknown }).signal : undefined;
    return signal instanceof AbortSignal ? signal : undefined;
  } catch {
    return undefined;
  }
}
