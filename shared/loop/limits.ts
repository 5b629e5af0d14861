/**
 * The limits checked before every model call: `max_turns` (model calls per
 * invocation) and `token_budget` (the next call's estimated input plus its
 * `max_tokens` must fit in what is left). The timeout is the invocation's
 * signal (deadline.ts).
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Message, ModelRequest, ToolDefinition } from '../llm/types.js';
import type { TokenMeter } from './token-meter.js';

/** Counts model calls of one invocation against `max_turns`. */
export class TurnCounter {
  count = 0;
  constructor(readonly max: number) {}

  /** Throws `max_turns_exceeded` when no turn is left. */
  check(): void {
    if (this.count >= this.max) {
      throw new AgentSpecError(ErrorCode.MaxTurnsExceeded, `The agent needed more than max_turns (${this.max}) model calls.`, {
        details: { max_turns: this.max },
      });
    }
  }

  get remaining(): number {
    return this.max - this.count;
  }
}

// Claude averages ~3.5-4 characters per token for prose; 3 errs on the high side
// so that the estimate is an upper bound for nearly all real inputs.
const CHARS_PER_TOKEN = 3;
const PER_MESSAGE_OVERHEAD = 8;
const REQUEST_OVERHEAD = 32;
/** Below this many output tokens a call is not worth making: the budget is spent. */
export const MIN_OUTPUT_TOKENS = 64;

const toolChars = new WeakMap<ToolDefinition[], number>();
/** What a conversation array cost at its last call: reused so the next estimate starts from real counts. */
const anchors = new WeakMap<Message[], { length: number; tokens: number }>();

/** Upper-bound estimate of the input tokens of a request. */
export function estimateInputTokens(request: ModelRequest): number {
  const anchor = anchors.get(request.messages);
  if (anchor && anchor.length <= request.messages.length) {
    // messages[anchor.length - 1] is the assistant reply already counted as output
    return anchor.tokens + Math.ceil(messagesChars(request.messages, anchor.length) / CHARS_PER_TOKEN) + REQUEST_OVERHEAD;
  }
  let chars = (request.system?.length ?? 0) + messagesChars(request.messages, 0);
  if (request.tools) chars += toolsChars(request.tools);
  return Math.ceil(chars / CHARS_PER_TOKEN) + REQUEST_OVERHEAD;
}

/** Remembers the real cost of a call on `messages` (input + output tokens); `messages` gets the reply appended next. */
export function rememberCallCost(messages: Message[], tokens: number): void {
  anchors.set(messages, { length: messages.length + 1, tokens });
}

/** Reserves the next call in the budget and returns the `max_tokens` it may use. */
export function claimCall(meter: TokenMeter, request: ModelRequest, wanted: number): { maxTokens: number; reservation: number; estimate: number } {
  const estimate = estimateInputTokens(request);
  return { ...meter.reserve(estimate, wanted, MIN_OUTPUT_TOKENS), estimate };
}

function messagesChars(messages: Message[], from: number): number {
  let chars = 0;
  for (let i = from; i < messages.length; i++) {
    chars += PER_MESSAGE_OVERHEAD * CHARS_PER_TOKEN;
    for (const block of messages[i]!.content) {
      if (block.type === 'text') chars += block.text.length;
      else if (block.type === 'tool_result') chars += block.content.length + 16;
      else chars += block.name.length + JSON.stringify(block.input ?? null).length + 16;
    }
  }
  return chars;
}

function toolsChars(tools: ToolDefinition[]): number {
  let chars = toolChars.get(tools);
  if (chars === undefined) {
    chars = JSON.stringify(tools).length;
    toolChars.set(tools, chars);
  }
  return chars;
}
