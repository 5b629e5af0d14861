/**
 * `reflexion`: answer (a react loop with the tools), then a self-critique
 * call judges the answer. The critique's first line is the verdict:
 * `APPROVED`, or anything else followed by the problems found. While it finds
 * problems, the agent revises its answer with the critique in view and the
 * new answer is judged again. Bounded by `max_turns`: when fewer than two
 * turns are left (one critique and one revision) the latest answer stands.
 * The approved (or last) answer is emitted as one text event at the end.
 */
import type { Message } from '../../llm/types.js';
import { budgetCut, callModel } from '../call-model.js';
import { assistantText, historyOf, taskOf, userText } from '../messages.js';
import type { Strategy } from '../run-context.js';
import { reactLoop } from './react.js';

const CRITIQUE_INSTRUCTION = `You are reviewing an answer written for the request below. Check that it is correct, complete and follows the instructions.
If it has no problems, reply with the single word APPROVED on the first line.
Otherwise reply with PROBLEMS on the first line, followed by a list of the concrete problems to fix.`;

/** True when a critique approves the answer (its first word is APPROVED). */
export function isApproved(critique: string): boolean {
  return /^\W*approved\b/i.test(critique.trimStart());
}

export const reflexion: Strategy = async (ctx, conversation) => {
  const task = taskOf(conversation);
  const history = historyOf(conversation);
  const attempt: Message[] = [...conversation];
  let answer = await reactLoop(ctx, attempt, false);

  while (ctx.turns.remaining >= 2) {
    const critique = await callModel(ctx, [...history, userText(`${CRITIQUE_INSTRUCTION}\n\nRequest:\n${task}\n\nAnswer:\n${answer}`)], {
      emitText: false,
      toolChoice: { type: 'none' },
    });
    if (critique.cutByBudget) throw budgetCut(ctx);
    ctx.transcript.push(assistantText(answer), userText(`Review:\n${critique.text}`));
    if (isApproved(critique.text)) break;
    attempt.push(
      userText(
        `A reviewer found problems with your answer:\n${critique.text}\n\nWrite an improved answer that fixes them. Reply with the complete answer only.`,
      ),
    );
    answer = await reactLoop(ctx, attempt, false);
  }

  ctx.progress.emitted += answer;
  if (answer) ctx.emit({ type: 'text', data: { text: answer } });
  return { output: answer, added: [assistantText(answer)] };
};
