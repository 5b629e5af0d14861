/** What an invocation's result says about the runtime's policies (run-policy.ts): guardrail firings and the model that answered. */

/** A guardrail that fired: which, its mode, the side it checked and the kind of match — never the matched text. */
export interface GuardrailFiring {
  guardrail: string;
  mode: 'warn' | 'block';
  side: 'input' | 'output';
  match: 'keyword' | 'pattern' | 'too_long';
}

export interface PolicyNotes {
  /** every guardrail that fired, `warn` and `block` */
  guardrails?: GuardrailFiring[];
  /** the model that answered, for an agent with a model chain */
  model?: string;
}
