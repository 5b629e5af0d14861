/**
 * What every step of a run (call the model, run tools, delegate, a strategy)
 * works with: the agent, its provider and tools, the invocation's signal and
 * limits, and where events go. One context per agent invocation; nested
 * invocations (delegates, fallback) get their own, linked by meter and signal.
 */
import type { IRAgent, IRDocument, ScalarValue } from '../ir/types.js';
import type { Message, ModelEvent, ModelProvider, ModelRequest, ToolDefinition } from '../llm/types.js';
import type { ToolRegistry } from '../tools/types.js';
import type { RuntimeObserver } from '../telemetry/events.js';
import type { Redactor } from '../secrets/redactor.js';
import type { RuleWarning } from './types.js';
import type { ApprovalPolicy } from './approval-policy.js';
import type { PromptTemplate } from './prompt-template.js';
import type { PolicyNotes } from './policy-notes.js';
import type { TokenMeter } from './token-meter.js';
import type { TurnCounter } from './limits.js';
import type { RunEvent, TokenUsage, ToolCallRecord } from './types.js';

export type Emit = (event: RunEvent) => void;

/** An agent of the IR prepared once for fast invocations. */
export interface CompiledAgent {
  readonly name: string;
  readonly attrs: IRAgent['attributes'];
  /** model id without the provider prefix */
  readonly model: string;
  readonly template: PromptTemplate | undefined;
  /** the hand-off tools offered for `delegate to agent …` */
  readonly delegateTools: ToolDefinition[];
  /** hand-off tool name → delegate agent name */
  readonly delegateByTool: ReadonlyMap<string, string>;
  readonly counters: { invocations: number; errors: number; tokens: number };
}

/** What one agent invocation produced. */
export interface AgentOutcome {
  output: string;
  /** messages added to the conversation by this run, the final answer last */
  added: Message[];
  tokens: TokenUsage;
  turns: number;
  toolCalls: ToolCallRecord[];
  /** violated `warning` rules of the answer; absent when the agent declares no `validate` rules */
  warnings?: RuleWarning[];
  /** guardrail firings and the model that answered (see run-policy.ts) */
  policy?: PolicyNotes;
}

export interface NestedRunOptions {
  parent: RunContext;
  emit: Emit;
}

/** What the runtime offers to the steps of a run. */
export interface RunHost {
  readonly ir: IRDocument;
  /** knows the secret values (config parameters among them) that results must not show */
  readonly redactor: Redactor;
  readonly tools: ToolRegistry;
  /** which skills' calls wait for a person's decision */
  readonly approvals: ApprovalPolicy;
  readonly observer: RuntimeObserver;
  readonly now: () => number;
  readonly maxDelegationDepth: number;
  readonly maxTokensPerCall: number;
  /** budgets, guardrails and model chains (run-policy.ts): each model call streams through it */
  readonly policy: { stream(ctx: RunContext, request: ModelRequest): AsyncIterable<ModelEvent> };
  /** Runs another agent on `conversation` as a nested invocation (delegate, router target, fallback). */
  runNested(agent: string, conversation: Message[], options: NestedRunOptions): Promise<AgentOutcome>;
}

export interface RunContext {
  readonly host: RunHost;
  readonly agent: CompiledAgent;
  readonly system: string | undefined;
  readonly provider: ModelProvider;
  /** the agent's tools plus its hand-off tools (set once the registry has answered, before the strategy runs) */
  tools: ToolDefinition[];
  readonly signal: AbortSignal;
  readonly meter: TokenMeter;
  readonly turns: TurnCounter;
  readonly toolCalls: ToolCallRecord[];
  readonly invocationId: string;
  /** 0 for the caller's invocation, +1 per delegation */
  readonly depth: number;
  readonly variables: Record<string, ScalarValue> | undefined;
  readonly emit: Emit;
  /** text streamed so far and the last model text, for partial output on failure */
  readonly progress: { emitted: string; lastText: string };
  /** the conversation as the run goes: what a fallback agent receives */
  readonly transcript: Message[];
}

/** A strategy runs an agent on a conversation (history + the new user message last) to its final answer. */
export type Strategy = (ctx: RunContext, conversation: Message[]) => Promise<StrategyResult>;

export interface StrategyResult {
  output: string;
  /** messages to append to the conversation (and the session), the final answer last */
  added: Message[];
}

/** No-op event sink for invoke(). */
export const IGNORE_EVENTS: Emit = () => {};
