/**
 * One streamed model call: checks turns and budget first, streams text
 * events as they come, collects tool uses and usage, and reports the call to
 * the observer. Retries a failed call per the agent's `on_error: retry`.
 */
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../errors.js';
import type { Message, ModelRequest, StopReason, ToolDefinition, Usage } from '../llm/types.js';
import { abortReason } from './deadline.js';
import { claimCall, rememberCallCost } from './limits.js';
import { withRetries } from './on-error.js';
import type { RunContext } from './run-context.js';

export interface ToolUse {
  id: string;
  name: string;
  input: unknown;
}

export interface ModelTurn {
  text: string;
  toolUses: ToolUse[];
  usage: Usage;
  stop: StopReason;
  /** true when `max_tokens` was lowered to fit the budget and the reply hit it */
  cutByBudget: boolean;
}

export interface CallOptions {
  /** defaults to the agent's tools */
  tools?: ToolDefinition[];
  toolChoice?: ModelRequest['tool_choice'];
  /** stream text deltas as `text` events (only calls whose text is the answer) */
  emitText: boolean;
}

/** Makes one model call on `messages` (not modified). */
export async function callModel(ctx: RunContext, messages: Message[], options: CallOptions): Promise<ModelTurn> {
  ctx.turns.check();
  const tools = options.tools ?? ctx.tools;
  // strategies put their instructions in messages, not the system prompt, so the cached system prefix stays the same
  const request: ModelRequest = { model: ctx.agent.model, system: ctx.system, messages, temperature: ctx.agent.attrs.temperature };
  if (tools.length > 0) {
    request.tools = tools;
    // the API only accepts tool_choice alongside tools; with none, no tool can be used anyway
    if (options.toolChoice) request.tool_choice = options.toolChoice;
  }
  let counted = false;
  return withRetries(ctx, () => {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    const claim = claimCall(ctx.meter, request, ctx.host.maxTokensPerCall);
    // a turn is a model call really made; its retries are the same turn
    if (!counted) ctx.turns.count++;
    counted = true;
    return attempt(ctx, request, claim, options.emitText);
  });
}

async function attempt(ctx: RunContext, request: ModelRequest, claim: { maxTokens: number; reservation: number }, emitText: boolean): Promise<ModelTurn> {
  const wanted = ctx.host.maxTokensPerCall;
  const { maxTokens, reservation } = claim;
  const start = ctx.host.now();
  const turn: ModelTurn = { text: '', toolUses: [], usage: { input: 0, output: 0, cache_read: 0, cache_write: 0 }, stop: 'other', cutByBudget: false };
  let failure: unknown;
  try {
    for await (const event of ctx.host.policy.stream(ctx, { ...request, max_tokens: maxTokens })) {
      switch (event.type) {
        case 'text':
          turn.text += event.text;
          if (emitText) {
            ctx.progress.emitted += event.text;
            ctx.emit({ type: 'text', data: { text: event.text } });
          }
          break;
        case 'tool_use':
          turn.toolUses.push({ id: event.id, name: event.name, input: event.input });
          break;
        case 'usage':
          turn.usage = event.usage;
          break;
        case 'stop':
          turn.stop = event.reason;
          break;
      }
    }
  } catch (error) {
    failure = ctx.signal.aborted ? abortReason(ctx.signal) : toAgentSpecError(error, ErrorCode.UpstreamError);
  }
  ctx.meter.settle(reservation, turn.usage);
  ctx.host.observer.record({
    type: 'model_call',
    invocation_id: ctx.invocationId,
    agent: ctx.agent.name,
    model: request.model,
    status: failure === undefined ? 'ok' : 'error',
    start_ms: start,
    duration_ms: ctx.host.now() - start,
    usage: turn.usage,
  });
  if (failure !== undefined) throw failure;
  if (turn.text) ctx.progress.lastText = turn.text;
  const u = turn.usage;
  rememberCallCost(request.messages, u.input + u.cache_read + u.cache_write + u.output);
  turn.cutByBudget = turn.stop === 'max_tokens' && maxTokens < wanted;
  return turn;
}

/** The assistant message recording a turn (empty text blocks are dropped: the API rejects them). */
export function assistantMessage(turn: ModelTurn): Message {
  const content: Message['content'] = [];
  if (turn.text) content.push({ type: 'text', text: turn.text });
  for (const use of turn.toolUses) content.push({ type: 'tool_use', id: use.id, name: use.name, input: use.input });
  return { role: 'assistant', content };
}

/** The error for a reply cut short because the budget left too few output tokens. */
export function budgetCut(ctx: RunContext): AgentSpecError {
  return new AgentSpecError(ErrorCode.BudgetExceeded, 'The token budget ran out while the model was answering.', {
    details: { token_budget: ctx.meter.limit },
  });
}
