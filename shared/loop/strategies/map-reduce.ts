/**
 * `map-reduce`: a split call (forced `split` tool returning a JSON list of
 * parts) divides the request; the parts run concurrently, each as a react
 * sub-run with the tools; a combine call merges their results into the
 * answer, which is the only streamed text. Parts share the turns and the
 * token budget (each call reserves its worst case before it starts).
 */
import type { ToolDefinition } from '../../llm/types.js';
import { budgetCut, callModel } from '../call-model.js';
import { assistantText, historyOf, taskOf, userText, withInstruction } from '../messages.js';
import type { Strategy } from '../run-context.js';
import { reactLoop } from './react.js';

export const SPLIT_TOOL = 'split';
/** At most this many parts run; each costs at least one turn. */
export const MAX_PARTS = 8;

const SPLIT_TOOLS: ToolDefinition[] = [
  {
    name: SPLIT_TOOL,
    description: 'Split the request into independent parts that can each be worked on separately.',
    input_schema: {
      type: 'object',
      properties: {
        parts: {
          type: 'array',
          items: { type: 'string', description: 'one self-contained part of the work' },
          minItems: 1,
          maxItems: MAX_PARTS,
        },
      },
      required: ['parts'],
    },
  },
];

const SPLIT_INSTRUCTION = `First split the request above into independent parts (at most ${MAX_PARTS}) by calling the ${SPLIT_TOOL} tool.`;

/** The parts a split call returned; anything unusable means the request is one part. */
export function partsOf(input: unknown, task: string): string[] {
  const parts = typeof input === 'object' && input !== null ? (input as { parts?: unknown }).parts : undefined;
  const usable = Array.isArray(parts) ? parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0) : [];
  return usable.length > 0 ? usable.slice(0, MAX_PARTS) : [task];
}

export const mapReduce: Strategy = async (ctx, conversation) => {
  const task = taskOf(conversation);
  const history = historyOf(conversation);

  const split = await callModel(ctx, withInstruction(conversation, SPLIT_INSTRUCTION), {
    emitText: false,
    tools: SPLIT_TOOLS,
    toolChoice: { type: 'tool', name: SPLIT_TOOL },
  });
  const parts = partsOf(split.toolUses.find((u) => u.name === SPLIT_TOOL)?.input, task);
  ctx.transcript.push(assistantText(`Parts:\n${parts.map((p, i) => `${i + 1}. ${p}`).join('\n')}`));

  const results = await Promise.all(
    parts.map((part) =>
      reactLoop(ctx, [...history, userText(`Request: ${task}\n\nYour part of the work: ${part}\n\nWork only on this part and reply with its result.`)], false),
    ),
  );
  for (const [i, result] of results.entries()) ctx.transcript.push(userText(`Part ${i + 1}: ${parts[i]}`), assistantText(result));

  const report = parts.map((part, i) => `Part ${i + 1}: ${part}\nResult:\n${results[i]}`).join('\n\n');
  const combine = await callModel(
    ctx,
    [
      ...history,
      userText(
        `Request: ${task}\n\nThe request was split into parts, each worked on separately:\n\n${report}\n\nCombine these results into one final answer for the user.`,
      ),
    ],
    { emitText: true, toolChoice: { type: 'none' } },
  );
  if (combine.cutByBudget) throw budgetCut(ctx);
  return { output: combine.text, added: [assistantText(combine.text)] };
};
