/**
 * `plan-and-execute`: one planning call writes a numbered plan (no tool
 * use); each step then runs as its own react sub-loop with the tools, seeing
 * the plan and the earlier steps' results; a final synthesis call writes the
 * answer from the step results. All calls share the invocation's turns and
 * token budget; only the synthesis is streamed as the answer.
 */
import type { Message } from '../../llm/types.js';
import { budgetCut, callModel } from '../call-model.js';
import { assistantText, historyOf, taskOf, userText, withInstruction } from '../messages.js';
import type { Strategy } from '../run-context.js';
import { reactLoop } from './react.js';

/** Plans longer than this are cut: each step costs at least one turn. */
export const MAX_PLAN_STEPS = 8;

const PLAN_INSTRUCTION = `Before doing anything, write a short plan for the request above: a numbered list of at most ${MAX_PLAN_STEPS} concrete steps, one per line ("1. …"). Write only the plan; do not carry out the steps yet.`;

/** The steps of a numbered plan; a reply without numbered lines is one step. */
export function parsePlan(text: string): string[] {
  const steps: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(?:step\s*)?\d+\s*[.):-]\s*(.+?)\s*$/i.exec(line);
    if (match) steps.push(match[1]!);
  }
  if (steps.length === 0 && text.trim()) steps.push(text.trim());
  return steps.slice(0, MAX_PLAN_STEPS);
}

export const planAndExecute: Strategy = async (ctx, conversation) => {
  const task = taskOf(conversation);
  const history = historyOf(conversation);

  const planTurn = await callModel(ctx, withInstruction(conversation, PLAN_INSTRUCTION), { emitText: false, toolChoice: { type: 'none' } });
  if (planTurn.cutByBudget) throw budgetCut(ctx);
  const steps = parsePlan(planTurn.text);
  const plan = steps.map((step, i) => `${i + 1}. ${step}`).join('\n');
  ctx.transcript.push(assistantText(`Plan:\n${plan}`));

  const results: string[] = [];
  for (const [i, step] of steps.entries()) {
    const done = results.map((result, j) => `Step ${j + 1} result:\n${result}`).join('\n\n');
    const messages: Message[] = [
      ...history,
      userText(
        `Request: ${task}\n\nPlan:\n${plan}\n\n${done ? `${done}\n\n` : ''}Now carry out step ${i + 1} only: ${step}\nUse the tools as needed and reply with the result of this step.`,
      ),
    ];
    results.push(await reactLoop(ctx, messages, false));
    ctx.transcript.push(userText(`Step ${i + 1}: ${step}`), assistantText(results[i]!));
  }

  const report = steps.map((step, i) => `Step ${i + 1}: ${step}\nResult:\n${results[i]}`).join('\n\n');
  const synthesis = await callModel(
    ctx,
    [
      ...history,
      userText(`Request: ${task}\n\nA plan was carried out:\n\n${report}\n\nWrite the final answer to the request for the user, based on these results.`),
    ],
    { emitText: true, toolChoice: { type: 'none' } },
  );
  if (synthesis.cutByBudget) throw budgetCut(ctx);
  return { output: synthesis.text, added: [assistantText(synthesis.text)] };
};
