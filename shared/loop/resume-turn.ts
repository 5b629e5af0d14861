/**
 * The first step of a resumed run: the paused turn's calls get their
 * results — those that ran before the pause keep theirs, approved ones run
 * now (an edited input replaces the model's, in the conversation too, and
 * must fit the skill's input schema), rejected and expired ones become error
 * results the model reads — and the react loop goes on from there.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { prepareSchema } from '../ir/json-schema-validator.js';
import { findResource, type IRDocument } from '../ir/types.js';
import type { ContentBlock, Message } from '../llm/types.js';
import type { ApprovalDecision } from '../runs/types.js';
import { taskOf } from './messages.js';
import type { RunCheckpoint } from './checkpoint.js';
import type { RunContext, StrategyResult } from './run-context.js';
import { runApproved } from './run-tools.js';
import { reactLoop } from './strategies/react.js';

/** What goes on in place of the strategy's first attempt, and the run's user message (what rules read as `input`). */
export interface Continuation {
  input: string;
  run: (ctx: RunContext, conversation: Message[]) => Promise<StrategyResult>;
}

/** How a pending call was settled: run it (with this input), or tell the model why not. */
export type Settled = { run: true; input: unknown } | { run: false; reason: string };

/**
 * Matches decisions to the checkpoint's approvals. Every approval needs one
 * decision, except an expired one, which counts as rejected; a decision made
 * after the approval expired counts as rejected too. `invalid_request` for
 * an undecided approval still in time, a decision of no pending approval, or
 * an edited input the skill's input schema refuses.
 */
export function settle(checkpoint: RunCheckpoint, decisions: readonly ApprovalDecision[], ir: IRDocument, now: number): Map<string, Settled> {
  const pending = new Map(checkpoint.approvals.map((a) => [a.id, a]));
  for (const d of decisions) {
    if (!pending.has(d.approval)) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, `The run has no pending approval "${d.approval}".`, { details: { approval: d.approval } });
    }
  }
  const settled = new Map<string, Settled>();
  for (const approval of checkpoint.approvals) {
    const decision = decisions.find((d) => d.approval === approval.id);
    const expires = Date.parse(approval.expires_at);
    if (decision === undefined && now <= expires) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, `Approval "${approval.id}" is not decided yet.`, { details: { approval: approval.id } });
    }
    if (decision === undefined || Date.parse(decision.decided_at) > expires) {
      settled.set(approval.tool_call_id, {
        run: false,
        reason: `The call was not approved before its approval expired (${approval.expires_at}); it was not run.`,
      });
    } else if (decision.decision === 'reject') {
      settled.set(approval.tool_call_id, { run: false, reason: `The call was rejected by a reviewer${decision.reason ? `: ${decision.reason}` : '.'}` });
    } else {
      const input = decision.input === undefined ? approval.input : decision.input;
      if (decision.input !== undefined) checkEditedInput(ir, approval.skill, input);
      settled.set(approval.tool_call_id, { run: true, input });
    }
  }
  return settled;
}

/** `invalid_request` when an edited input does not fit the skill's input schema (or the skill is gone). */
export function checkEditedInput(ir: IRDocument, skill: string, input: unknown): void {
  const resource = findResource(ir, 'Skill', skill);
  const violations = resource ? prepareSchema(resource.attributes.input_schema).violations(input) : [`there is no skill "${skill}"`];
  if (violations.length > 0) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The edited input of "${skill}" is not valid: ${violations.join('; ')}.`, {
      details: { skill, issues: violations.map((message) => ({ path: 'input', code: 'schema', message })) },
    });
  }
}

/** The continuation of a paused react loop. */
export function continuation(checkpoint: RunCheckpoint, settled: ReadonlyMap<string, Settled>): Continuation {
  const input = taskOf(checkpoint.messages.slice(0, checkpoint.turn_from + 1));
  const run: Continuation['run'] = async (ctx, conversation) => {
    const start = conversation.length;
    const turn = conversation.at(-1)!;
    const ran = new Map(checkpoint.results.map((b) => [(b as { tool_use_id: string }).tool_use_id, b]));
    const results = await Promise.all(
      turn.content.flatMap((block): Promise<ContentBlock>[] => {
        if (block.type !== 'tool_use') return [];
        const done = ran.get(block.id);
        if (done) return [Promise.resolve(done)];
        const how = settled.get(block.id)!;
        if (how.run) {
          block.input = how.input;
          return [runApproved(ctx, { id: block.id, name: block.name, input: how.input })];
        }
        return [Promise.resolve(refused(ctx, block, how.reason))];
      }),
    );
    conversation.push({ role: 'user', content: results });
    const output = await reactLoop(ctx, conversation, true, ctx.depth === 0);
    return { output, added: conversation.slice(start) };
  };
  return { input, run };
}

/** A rejected or expired call: recorded and reported like a failed call, never run. */
function refused(ctx: RunContext, use: { id: string; name: string; input: unknown }, reason: string): ContentBlock {
  ctx.emit({ type: 'tool_call_start', data: { id: use.id, name: use.name, input: use.input } });
  const record = { id: use.id, name: use.name, input: use.input, error: reason, status: 'error' as const, duration_ms: 0 };
  ctx.toolCalls.push(record);
  ctx.emit({ type: 'tool_call_end', data: record });
  return { type: 'tool_result', tool_use_id: use.id, content: reason, is_error: true };
}
