/**
 * What the scripted model answers in an eval run without `--live`. By
 * default each case gets one turn: its `expect` text. A script file
 * (`--script`) maps a case (`"<case>"` or, to tell apart equal names of two
 * agents, `"<agent>/<case>"`) to its model turns: a string is one text turn;
 * a list holds turns `{"text": "…", "tool_calls": [{"name": "…", "input": {…}}]}`
 * played in order, so a case can call tools before it answers.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { ScriptedTurn } from './scripted-provider.js';
import type { EvalTarget } from '../../shared/eval/types.js';

export type EvalScript = ReadonlyMap<string, readonly ScriptedTurn[]>;

/** Parses a script file's JSON. Throws `input_error` naming the first bad entry. */
export function parseScript(json: unknown, source: string): EvalScript {
  const bad = (where: string, why: string) => new AgentSpecError(ErrorCode.InputError, `${source}: ${where} ${why}.`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('the script', 'must be an object mapping case names to model turns');
  const script = new Map<string, ScriptedTurn[]>();
  for (const [key, value] of Object.entries(json)) {
    const turns: unknown[] = typeof value === 'string' ? [{ text: value }] : Array.isArray(value) ? value : [];
    if (turns.length === 0) throw bad(`"${key}"`, 'must be a string or a non-empty list of turns');
    script.set(
      key,
      turns.map((raw, i) => {
        const where = `"${key}" turn ${i + 1}`;
        const turn = (typeof raw === 'string' ? { text: raw } : raw) as { text?: unknown; tool_calls?: unknown };
        if (typeof turn !== 'object' || turn === null) throw bad(where, 'must be a string or an object');
        const extra = Object.keys(turn).filter((k) => k !== 'text' && k !== 'tool_calls');
        if (extra.length) throw bad(where, `has unknown field "${extra[0]}" (turns take text and tool_calls)`);
        if (turn.text !== undefined && typeof turn.text !== 'string') throw bad(where, 'text must be a string');
        if (turn.tool_calls !== undefined && !Array.isArray(turn.tool_calls)) throw bad(where, 'tool_calls must be a list');
        const calls = ((turn.tool_calls ?? []) as unknown[]).map((c, j) => {
          const call = c as { name?: unknown; input?: unknown };
          const input = call.input ?? {};
          if (typeof call?.name !== 'string' || typeof input !== 'object' || input === null || Array.isArray(input)) {
            throw bad(`${where} tool call ${j + 1}`, 'needs a "name" and an object "input"');
          }
          return { name: call.name, input: input as Record<string, unknown> };
        });
        return { ...(typeof turn.text === 'string' ? { text: turn.text } : {}), ...(calls.length ? { tool_calls: calls } : {}) };
      }),
    );
  }
  return script;
}

/** The turns the scripted model plays for a case. */
export function turnsForCase(target: EvalTarget, script: EvalScript = new Map()): readonly ScriptedTurn[] {
  return script.get(`${target.agent}/${target.case.name}`) ?? script.get(target.case.name) ?? [{ text: target.case.expect ?? '' }];
}

/** Script keys that name no case of the run (likely typos). */
export function unusedScriptKeys(script: EvalScript, targets: readonly EvalTarget[]): string[] {
  const known = new Set(targets.flatMap((t) => [t.case.name, `${t.agent}/${t.case.name}`]));
  return [...script.keys()].filter((k) => !known.has(k));
}
