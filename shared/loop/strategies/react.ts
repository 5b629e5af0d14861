/**
 * `react` (the default): call the model with the tools; while it asks for
 * tools, run them and give it the results; its first reply without tool
 * uses is the answer. Other strategies reuse `reactLoop` for their steps.
 */
import type { Message } from '../../llm/types.js';
import { assistantMessage, budgetCut, callModel } from '../call-model.js';
import type { RunContext, Strategy } from '../run-context.js';
import { runTools } from '../run-tools.js';

/**
 * Runs model → tools → observe until the model answers; appends every turn
 * to `messages` and returns the final text. With `pausable`, a turn calling
 * a skill that needs approval ends the run with `RunPaused` (run-tools.ts).
 */
export async function reactLoop(ctx: RunContext, messages: Message[], emitText: boolean, pausable = false): Promise<string> {
  for (;;) {
    const turn = await callModel(ctx, messages, { emitText });
    const reply = assistantMessage(turn);
    if (reply.content.length > 0) messages.push(reply);
    if (turn.toolUses.length > 0) {
      messages.push({ role: 'user', content: await runTools(ctx, turn.toolUses, pausable ? { messages } : undefined) });
      continue;
    }
    if (turn.stop === 'pause_turn') continue;
    if (turn.cutByBudget) throw budgetCut(ctx);
    return turn.text;
  }
}

/** Only the invoked agent's own loop may pause on approvals: a delegate's or a step's conversation is not the run's. */
export const react: Strategy = async (ctx, conversation) => {
  const start = conversation.length;
  const output = await reactLoop(ctx, conversation, true, ctx.depth === 0);
  return { output, added: conversation.slice(start) };
};
