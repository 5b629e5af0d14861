/**
 * The runtime's policies around each agent invocation: the agent's budget
 * (checked before the run, charged per model call), its guardrails (on the
 * user's message, then on the answer) and its model chain (each model call).
 * The runtime makes one and calls `answer` for an invocation's answer and
 * `stream` for each model call.
 *
 * Guardrails in a run:
 * - input side, `block`: no model is called; the answer is the fallback text,
 *   and the user's message is withheld from the session (replaced by a note),
 *   so later turns do not send it to the model either;
 * - output side, `block`: the answer (and the turn's tool exchanges) is
 *   replaced by the fallback text. Streamed text of an agent with a `block`
 *   guardrail is held until the answer passes, so nothing blocked reaches the
 *   client; the cost is that such an agent's text arrives at the end, not
 *   token by token. A run that fails keeps partial output only if it passes;
 * - `warn`: the answer goes through; the result (and the `done` event) lists
 *   the firings under `guardrails`.
 * Each firing is reported to the observer (`guardrail` events, counted by
 * agent, guardrail and mode) without the matched text.
 */
import type { IRDocument } from '../ir/types.js';
import type { Message, ModelEvent, ModelProvider, ModelRequest } from '../llm/types.js';
import type { SessionStore } from '../sessions/types.js';
import { produceAnswer, type Answer, type RequestScope } from './agent-answer.js';
import { Budgets } from './budget.js';
import { GuardrailSet } from './guardrails.js';
import { assistantText, taskOf } from './messages.js';
import { ModelChains } from './model-chain.js';
import type { GuardrailFiring, PolicyNotes } from './policy-notes.js';
import { TextGate } from './output-rules.js';
import type { CompiledAgent, RunContext } from './run-context.js';
import type { Continuation } from './resume-turn.js';

export interface PolicyAnswer extends Answer {
  policy?: PolicyNotes;
}

export interface RunPolicyOptions {
  sessions: SessionStore;
  now: () => number;
  providerFor: (provider: string) => ModelProvider;
}

export class RunPolicy {
  readonly budgets: Budgets;
  private readonly chains: ModelChains;
  private readonly guardrails = new Map<string, GuardrailSet>();

  /** Throws `config_error` for a guardrail that cannot be compiled or a budget over a model without a price. */
  constructor(ir: IRDocument, agents: Iterable<CompiledAgent>, options: RunPolicyOptions) {
    this.budgets = new Budgets(ir, options.sessions, options.now);
    this.chains = new ModelChains(options.providerFor, this.budgets);
    for (const agent of agents) {
      const set = GuardrailSet.of(ir, agent);
      if (set) this.guardrails.set(agent.name, set);
    }
  }

  /** Where in its model chain the invocation is (0: its own model), for a checkpoint. */
  modelLink(ctx: RunContext): number {
    return this.chains.linkOf(ctx);
  }

  /** Puts a resumed invocation back where its checkpoint was in the model chain. */
  restoreModelLink(ctx: RunContext, link: number): void {
    this.chains.restore(ctx, link);
  }

  /** One model call, down the agent's model chain. */
  stream(ctx: RunContext, request: ModelRequest): AsyncIterable<ModelEvent> {
    return this.chains.stream(ctx, request);
  }

  /**
   * The invocation's answer under the agent's budget and guardrails;
   * `conversation` ends with the user's message, or, resumed, with the
   * paused turn (whose user message passed the input guardrails already).
   */
  async answer(ctx: RunContext, conversation: Message[], request: RequestScope, resume?: Continuation): Promise<PolicyAnswer> {
    await this.budgets.admit(ctx.agent.name);
    const guards = this.guardrails.get(ctx.agent.name);
    if (!guards) return this.noted(ctx, await produceAnswer(ctx, conversation, request, resume), []);

    const input = resume ? { firings: [], blockedWith: undefined } : guards.check(taskOf(conversation), 'input');
    this.report(ctx, input.firings);
    if (input.blockedWith !== undefined) {
      withhold(conversation, input.firings);
      return this.noted(ctx, replaced(ctx, ctx.emit, input.blockedWith), input.firings);
    }
    const gate = guards.blocks ? new TextGate(ctx.emit) : undefined;
    let answer: Answer;
    try {
      answer = await produceAnswer(gate ? { ...ctx, emit: gate.emit } : ctx, conversation, request, resume);
    } catch (error) {
      // the failure reports partial output: only text that passes the guardrails
      if (guards.check(ctx.progress.emitted || ctx.progress.lastText, 'output').blockedWith !== undefined) {
        ctx.progress.emitted = '';
        ctx.progress.lastText = '';
      }
      throw error;
    }
    const output = guards.check(answer.output, 'output');
    this.report(ctx, output.firings);
    const firings = [...input.firings, ...output.firings];
    if (output.blockedWith === undefined) {
      gate?.release();
      return this.noted(ctx, answer, firings);
    }
    gate?.drop();
    return this.noted(ctx, { ...replaced(ctx, ctx.emit, output.blockedWith), warnings: answer.warnings }, firings);
  }

  private noted(ctx: RunContext, answer: Answer, firings: GuardrailFiring[]): PolicyAnswer {
    const notes: PolicyNotes = {};
    if (firings.length > 0) notes.guardrails = firings;
    const model = this.chains.answeredBy(ctx);
    if (model !== undefined) notes.model = model;
    return Object.keys(notes).length > 0 ? { ...answer, policy: notes } : answer;
  }

  private report(ctx: RunContext, firings: GuardrailFiring[]): void {
    for (const f of firings) {
      ctx.host.observer.record({ type: 'guardrail', invocation_id: ctx.invocationId, agent: ctx.agent.name, ...f });
    }
  }
}

/** The fallback text as the answer: streamed as one event, the turn's messages replaced by it. */
function replaced(ctx: RunContext, emit: RunContext['emit'], text: string): Answer {
  emit({ type: 'text', data: { text } });
  ctx.progress.emitted = text;
  ctx.progress.lastText = text;
  return { output: text, added: [assistantText(text)], warnings: undefined };
}

/** Replaces the blocked user message (the same object the session saves) by a note naming the guardrail. */
function withhold(conversation: Message[], firings: GuardrailFiring[]): void {
  const last = conversation.at(-1);
  const by = firings.find((f) => f.mode === 'block')?.guardrail ?? 'a guardrail';
  if (last?.role === 'user') last.content = [{ type: 'text', text: `[message withheld by guardrail "${by}"]` }];
}
