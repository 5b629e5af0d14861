/**
 * An agent's `validate` rules on each of its answers. A rule passes when its
 * `when` expression is true (docs/expressions.md); a false value or a failed
 * evaluation violates it; a rule without `when` checks nothing. A violated
 * `warning` rule is reported with the answer; a violated `error` rule sends
 * the answer back to the model with the rule's message, up to the rule's
 * `max_retries` (default 3, as the original), and then fails the run with
 * `validation_failed`. Every violation is counted in the metrics.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRRule } from '../ir/types.js';
import type { Message } from '../llm/types.js';
import { valueOf } from './expressions.js';
import { truthy } from '../expr/index.js';
import type { Emit, RunContext } from './run-context.js';
import type { RuleWarning } from './types.js';
import type { RunEvent } from './types.js';

export const DEFAULT_RULE_RETRIES = 3;

export type { RuleWarning } from './types.js';

/** What the rules say of one answer. */
export interface RuleCheck {
  /** violated `error` rules */
  errors: IRRule[];
  warnings: RuleWarning[];
}

/** The variables a rule reads besides `output`. */
export interface RuleScope {
  input: string;
  config: Readonly<Record<string, unknown>>;
  session: Readonly<Record<string, unknown>>;
}

/** The agent's rules that check something. */
export function rulesOf(ctx: RunContext): IRRule[] {
  return (ctx.agent.attrs.validate ?? []).filter((rule) => rule.expression !== undefined);
}

/** Checks one answer against `rules`, recording each violation. */
export function checkRules(ctx: RunContext, rules: readonly IRRule[], scope: RuleScope, output: string): RuleCheck {
  const env = { ...scope, output };
  const check: RuleCheck = { errors: [], warnings: [] };
  for (const rule of rules) {
    if (passes(ctx, rule, env)) continue;
    ctx.host.observer.record({
      type: 'validation_violation',
      invocation_id: ctx.invocationId,
      agent: ctx.agent.name,
      rule: rule.name,
      severity: rule.severity,
    });
    if (rule.severity === 'error') check.errors.push(rule);
    else check.warnings.push({ rule: rule.name, message: rule.message });
  }
  return check;
}

function passes(ctx: RunContext, rule: IRRule, env: Record<string, unknown>): boolean {
  try {
    return truthy(valueOf({ agent: ctx.agent.name, place: `the rule "${rule.name}"`, text: rule.expression! }, env));
  } catch {
    // an expression that cannot be evaluated on this answer is a violation (docs/expressions.md)
    return false;
  }
}

/** Counts regenerations per rule: another attempt is allowed while a violated rule has retries left. */
export class RuleRetries {
  private readonly used = new Map<string, number>();

  /** True (and counted) when at least one of `violated` may still be retried. */
  take(violated: readonly IRRule[]): boolean {
    let any = false;
    for (const rule of violated) {
      const used = this.used.get(rule.name) ?? 0;
      if (used < (rule.max_retries ?? DEFAULT_RULE_RETRIES)) {
        this.used.set(rule.name, used + 1);
        any = true;
      }
    }
    return any;
  }
}

/** The user turn that asks the model for a new answer to `request` after its answer broke `violated`. */
export function feedbackMessage(request: string, violated: readonly IRRule[]): Message {
  const lines = violated.map((rule) => `- ${rule.name}: ${rule.message}`);
  const text = [
    'Your answer was rejected because it breaks these rules:',
    ...lines,
    'Answer the request again, following every rule. The request was:',
    request,
  ].join('\n');
  return { role: 'user', content: [{ type: 'text', text }] };
}

/** The failure of a run whose answer still breaks `violated` `error` rules. */
export function validationFailed(agent: string, violated: readonly IRRule[], attempts: number): AgentSpecError {
  const names = violated.map((rule) => `"${rule.name}" (${rule.message})`).join(', ');
  return new AgentSpecError(ErrorCode.ValidationFailed, `The answer of agent "${agent}" breaks the rule ${names} after ${attempts} attempt(s).`, {
    details: { agent, rule: violated[0]!.name, rules: violated.map((rule) => rule.name), attempts },
  });
}

/**
 * Holds back the streamed text of an answer until the rules accepted it, so
 * a rejected answer never reaches the client; other events pass at once.
 */
export class TextGate {
  private held: RunEvent[] = [];

  constructor(private readonly out: Emit) {}

  readonly emit: Emit = (event) => {
    if (event.type === 'text') this.held.push(event);
    else this.out(event);
  };

  /** Sends the held text (the answer was accepted). */
  release(): void {
    for (const event of this.held) this.out(event);
    this.held = [];
  }

  /** Forgets the held text (the answer was rejected). */
  drop(): void {
    this.held = [];
  }
}
