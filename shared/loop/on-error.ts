/**
 * The agent's `on_error` policy.
 *
 * - `retry`: a failed model call (upstream error, overload, a stream cut
 *   mid-way) is made again, up to `max_retries` times with a short backoff.
 *   Retrying the call rather than the whole run keeps the tool results
 *   already obtained and never runs a tool twice. The SDK's own HTTP retries
 *   (429/5xx before the stream starts) come first; these cover the rest.
 * - `fail`: the error ends the invocation.
 * - `fallback`: when the run fails, the fallback agent receives the
 *   conversation so far (rendered as plain text turns, since it has other
 *   tools) and its answer becomes the result.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import { blockText } from '../llm/block-text.js';
import type { Message } from '../llm/types.js';
import type { RunContext } from './run-context.js';

/** Codes worth another attempt of the same model call (`unavailable` is a missing API key: no retry helps). */
const RETRYABLE = new Set<string>([ErrorCode.UpstreamError, ErrorCode.RateLimited, ErrorCode.InternalError]);
/** HTTP statuses of the API that a retry can fix; other 4xx (a bad request, a bad key) cannot. */
const RETRYABLE_4XX = new Set([408, 409, 429]);
/** Codes a fallback agent cannot help with: the caller left or asked for something invalid. */
const NOT_FALLBACK = new Set<string>([ErrorCode.Cancelled, ErrorCode.InvalidRequest, ErrorCode.NotFound]);

const BACKOFF_MS = 100;

/** Runs `attempt`, retrying retryable failures when the agent says `on_error "retry"`. */
export async function withRetries<T>(ctx: RunContext, attempt: () => Promise<T>): Promise<T> {
  const { on_error, max_retries } = ctx.agent.attrs;
  const retries = on_error === 'retry' ? max_retries : 0;
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= retries || ctx.signal.aborted || !isRetryable(error)) throw error;
      await sleep(BACKOFF_MS * 2 ** tried, ctx.signal);
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (!isAgentSpecError(error) || !RETRYABLE.has(error.code)) return false;
  const status = error.details.status;
  return typeof status !== 'number' || status >= 500 || RETRYABLE_4XX.has(status);
}

/** True when a failed run of this agent should be handed to its fallback agent. */
export function shouldFallback(ctx: RunContext, error: unknown): boolean {
  const { on_error, fallback } = ctx.agent.attrs;
  if (on_error !== 'fallback' || !fallback) return false;
  return !(isAgentSpecError(error) && NOT_FALLBACK.has(error.code));
}

/**
 * The conversation so far as the fallback agent receives it: every turn kept,
 * tool uses and results written out as text (the fallback has other tools, and
 * the API rejects tool blocks for tools it does not offer), then a note of
 * the failure so it answers the user's request itself.
 */
export function conversationForFallback(transcript: Message[], error: unknown): Message[] {
  const messages: Message[] = [];
  for (const message of transcript) {
    const text = message.content.map(blockText).filter(Boolean).join('\n');
    if (text) messages.push({ role: message.role, content: [{ type: 'text', text }] });
  }
  const code = isAgentSpecError(error) ? error.code : ErrorCode.InternalError;
  const note = `[The previous agent stopped with error "${code}". Continue the conversation above and answer the user's request.]`;
  const last = messages.at(-1);
  if (last?.role === 'user') last.content.push({ type: 'text', text: note });
  else messages.push({ role: 'user', content: [{ type: 'text', text: note }] });
  return messages;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof AgentSpecError ? signal.reason : new AgentSpecError(ErrorCode.Cancelled, 'The invocation was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
