/**
 * The agentic loop: `Runtime` turns an IR's agents into invocable agents
 * (invoke / stream), running each agent's strategy — react,
 * plan-and-execute, reflexion, router, map-reduce — under its limits
 * (max_turns, timeout, token_budget), its on_error policy, delegation and
 * session memory.
 */
export { Runtime, type RuntimeOptions } from './runtime.js';
export type * from './types.js';
export type { CompiledAgent, RunContext, RunHost, Strategy, StrategyResult, AgentOutcome, Emit } from './run-context.js';
export { STRATEGIES } from './strategies/index.js';
export { delegateToolName } from './delegation.js';
export { compilePrompt, renderPrompt, type PromptTemplate } from './prompt-template.js';
export { TokenMeter, addTokens, zeroTokens } from './token-meter.js';
export { estimateInputTokens } from './limits.js';
