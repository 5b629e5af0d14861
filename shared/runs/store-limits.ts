/**
 * The rules every `RunStore` applies the same way: how long a run is kept
 * (`expires_at`), how large its log may grow, and how appended events are
 * encoded and measured (bytes of their JSON, the form every store keeps).
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { FINAL_RUN_STATUSES, type Run } from './types.js';

/** A run's log holds at most this many events by default. */
export const DEFAULT_MAX_RUN_EVENTS = 20_000;
/** …and at most this many bytes of event JSON. */
export const DEFAULT_MAX_RUN_BYTES = 8 * 1024 * 1024;
/** A run without an expiry, and a finished run, is kept this long after its last write. */
export const DEFAULT_RUN_TTL_SECONDS = 24 * 60 * 60;

export interface RunStoreLimits {
  /** events per run (default 20,000) */
  maxEvents?: number;
  /** bytes of event JSON per run (default 8 MiB) */
  maxBytes?: number;
  /** lifetime of a run written without `expires_at`, and at most that of a finished run (default 24 h) */
  ttlSeconds?: number;
}

export interface ResolvedLimits {
  maxEvents: number;
  maxBytes: number;
  ttlSeconds: number;
}

export function resolveLimits(limits: RunStoreLimits): ResolvedLimits {
  return {
    maxEvents: limits.maxEvents ?? DEFAULT_MAX_RUN_EVENTS,
    maxBytes: limits.maxBytes ?? DEFAULT_MAX_RUN_BYTES,
    ttlSeconds: limits.ttlSeconds ?? DEFAULT_RUN_TTL_SECONDS,
  };
}

/**
 * The `expires_at` a write stores: the caller's, or `ttlSeconds` from now
 * when it has none; a finished run is kept at most `ttlSeconds` more. Now is
 * rounded up, so a run never expires before the time it was given.
 */
export function expiryOf(run: Pick<Run, 'expires_at' | 'status'>, nowMs: number, ttlSeconds: number): number {
  const limit = Math.ceil(nowMs / 1000) + ttlSeconds;
  if (!(run.expires_at > 0)) return limit;
  return FINAL_RUN_STATUSES.includes(run.status) ? Math.min(run.expires_at, limit) : run.expires_at;
}

/** The record a compare-and-set write of `run` stores: the next version, written now, with its expiry. */
export function nextVersion(run: Run, expectedVersion: number, nowMs: number, ttlSeconds: number): Run {
  return { ...run, version: expectedVersion + 1, updated_at: new Date(nowMs).toISOString(), expires_at: expiryOf(run, nowMs, ttlSeconds) };
}

/** Whether `expires_at` (epoch seconds) has passed at `nowMs`. */
export function isExpired(expiresAt: number | undefined, nowMs: number): boolean {
  return expiresAt !== undefined && expiresAt > 0 && expiresAt * 1000 <= nowMs;
}

export interface EncodedEvent {
  /** JSON of `{ type, data }` */
  json: string;
  bytes: number;
}

/** Events as the JSON a store keeps, with their sizes. */
export function encodeEvents(events: readonly { type: string; data: unknown }[]): EncodedEvent[] {
  return events.map(({ type, data }) => {
    const json = JSON.stringify({ type, data });
    return { json, bytes: Buffer.byteLength(json, 'utf8') };
  });
}

/** Throws `payload_too_large`, naming the bound, when appending would pass one; nothing is appended then. */
export function checkBounds(id: string, logged: { events: number; bytes: number }, adding: readonly EncodedEvent[], limits: ResolvedLimits): void {
  const events = logged.events + adding.length;
  if (events > limits.maxEvents) {
    throw new AgentSpecError(ErrorCode.PayloadTooLarge, `Run "${id}" would log ${events} events, past the bound of ${limits.maxEvents} events per run.`, {
      details: { run_id: id, bound: 'events', limit: limits.maxEvents },
    });
  }
  const bytes = adding.reduce((sum, event) => sum + event.bytes, logged.bytes);
  if (bytes > limits.maxBytes) {
    throw new AgentSpecError(ErrorCode.PayloadTooLarge, `Run "${id}" would log ${bytes} bytes of events, past the bound of ${limits.maxBytes} bytes per run.`, {
      details: { run_id: id, bound: 'bytes', limit: limits.maxBytes },
    });
  }
}
