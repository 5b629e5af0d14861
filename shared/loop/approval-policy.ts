/**
 * Which tool calls wait for a person's decision: a skill's `approval
 * "required"` in the IR, overridden per deployment by the environment
 * variable `AGENTSPEC_APPROVAL_<SKILL>` (`required` or `never`; the skill's
 * name upper-cased, `-` written `_`), read once when the runtime starts. A
 * value other than those two is a configuration error: a typo must not turn
 * a required approval off.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { resourcesOf, type IRDocument } from '../ir/types.js';
import { toToolName } from '../tools/tool-names.js';

/** Default time a pending approval waits before it counts as rejected. */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 3600;

export interface ApprovalRule {
  skill: string;
  timeoutSeconds: number;
}

/** `AGENTSPEC_APPROVAL_<SKILL>`. */
export function approvalEnvName(skill: string): string {
  return `AGENTSPEC_APPROVAL_${skill.toUpperCase().replaceAll('-', '_')}`;
}

export class ApprovalPolicy {
  /** tool name → rule, for the skills whose calls need approval */
  private readonly rules = new Map<string, ApprovalRule>();

  constructor(ir: IRDocument, env: Readonly<Record<string, string | undefined>>) {
    for (const skill of resourcesOf(ir, 'Skill')) {
      const name = approvalEnvName(skill.name);
      const override = env[name]?.trim().toLowerCase();
      if (override !== undefined && override !== '' && override !== 'required' && override !== 'never') {
        throw new AgentSpecError(ErrorCode.ConfigError, `${name} must be "required" or "never", not "${env[name]}".`, {
          details: { variable: name, skill: skill.name },
        });
      }
      const required = override === 'required' || (override !== 'never' && skill.attributes.approval === 'required');
      if (!required) continue;
      this.rules.set(toToolName(skill.name), {
        skill: skill.name,
        timeoutSeconds: skill.attributes.approval_timeout_seconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
      });
    }
  }

  /** The rule of a tool whose calls need approval; undefined for every other tool. */
  ruleOf(tool: string): ApprovalRule | undefined {
    return this.rules.get(tool);
  }

  get any(): boolean {
    return this.rules.size > 0;
  }
}
