/**
 * Lowering of the agent blocks IntentLang 3.0 added: `config` parameters
 * (defaults typed), `validate` rules, `eval` cases and the `on input`
 * statements, whose expressions go to the IR as the text written.
 */
import type { Body, Entry, Value } from './ast.js';
import { definedOnly } from '../defined.js';
import type { IRConfigParam, IREvalCase, IRRule, IRStatement } from '../ir/types.js';

/** The threshold of an eval case that names none. */
export const DEFAULT_THRESHOLD = 0.8;

/**
 * An expression as the IR and `fmt` keep it: on one line, each line break
 * (with the indentation around it) outside a string read as one space, so
 * formatting a package never changes its IR.
 */
export function normalizeExpression(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|[ \t\r]*\n\s*/g, (m) => (m.startsWith('"') ? m : ' '));
}

function isWord(v: Value | undefined, word: string): boolean {
  return v?.type === 'ident' && v.value === word;
}

function text(v: Value | undefined): string | undefined {
  if (!v || v.type === 'list') return undefined;
  if (v.type === 'expr') return normalizeExpression(v.value);
  return v.type === 'number' ? v.raw : String(v.value);
}

function typed(type: IRConfigParam['type'], v: Value): string | number | boolean {
  const t = text(v) ?? '';
  if (type === 'int' || type === 'float') return Number(t);
  if (type === 'bool') return t === 'true';
  return t;
}

export function lowerConfig(body: Body): IRConfigParam[] {
  return body.entries.map((e) => {
    const type = text(e.args[0]) as IRConfigParam['type'];
    const rest = e.args.slice(1);
    const d = rest.findIndex((v) => isWord(v, 'default'));
    const description = rest.find((v, i) => v.type === 'string' && !isWord(rest[i - 1], 'default'));
    return definedOnly({
      name: e.key,
      type,
      required: rest.some((v) => isWord(v, 'required')),
      secret: rest.some((v) => isWord(v, 'secret')),
      default: d >= 0 && rest[d + 1] ? typed(type, rest[d + 1]!) : undefined,
      description: description?.type === 'string' ? description.value : undefined,
    });
  });
}

export function lowerRules(body: Body): IRRule[] {
  return body.entries.map((e) => {
    const rest = e.args.slice(2);
    const m = rest.findIndex((v) => isWord(v, 'max_retries'));
    const w = rest.findIndex((v) => isWord(v, 'when'));
    const message = rest.find((v, i) => v.type === 'string' && !isWord(rest[i - 1], 'max_retries'));
    return definedOnly({
      name: text(e.args[0])!,
      severity: text(e.args[1]) as IRRule['severity'],
      message: message?.type === 'string' ? message.value : `Rule "${text(e.args[0])}" failed`,
      expression: w >= 0 ? text(rest[w + 1]) : undefined,
      max_retries: m >= 0 && rest[m + 1]?.type === 'number' ? (rest[m + 1] as { value: number }).value : undefined,
    });
  });
}

export function lowerCases(body: Body): IREvalCase[] {
  return body.entries.map((e) => {
    const words = new Map<string, Value>();
    for (let i = 1; i + 1 < e.args.length; i += 2) words.set(text(e.args[i]) ?? '', e.args[i + 1]!);
    const tags = words.get('tags');
    const threshold = words.get('threshold');
    return definedOnly({
      name: text(e.args[0])!,
      input: text(words.get('input')) ?? '',
      expect: text(words.get('expect')),
      scoring: (text(words.get('scoring')) ?? 'contains') as IREvalCase['scoring'],
      threshold: threshold?.type === 'number' ? threshold.value : DEFAULT_THRESHOLD,
      tags: tags?.type === 'list' ? tags.items.map((t) => text(t) ?? '') : [],
    });
  });
}

export function lowerFlow(body: Body): IRStatement[] {
  const out: IRStatement[] = [];
  for (const e of body.entries) {
    const a = e.args;
    switch (e.key) {
      case 'use':
        out.push(
          definedOnly({
            kind: 'use_skill' as const,
            skill: text(a[1])!,
            params: e.body ? Object.fromEntries(e.body.entries.map((p) => [p.key, text(p.args[0]) ?? ''])) : undefined,
          }),
        );
        break;
      case 'delegate':
        out.push({ kind: 'delegate', agent: text(a[1])! });
        break;
      case 'respond':
        out.push(a[0]?.type === 'string' ? { kind: 'respond', text: a[0].value } : { kind: 'respond', expression: text(a[0]) ?? '' });
        break;
      case 'if':
        out.push({ kind: 'if', branches: [{ condition: text(a[0])!, body: lowerFlow(e.body!) }] });
        break;
      case 'else': {
        const chain = out[out.length - 1];
        if (chain?.kind !== 'if') break;
        if (isWord(a[0], 'if')) chain.branches.push({ condition: text(a[1])!, body: lowerFlow(e.body!) });
        else chain.else = lowerFlow(e.body!);
        break;
      }
      case 'for':
        out.push({ kind: 'for_each', variable: text(a[1])!, collection: text(a[3])!, body: lowerFlow(e.body!) });
        break;
    }
  }
  return out;
}

/** Whether an agent entry uses anything IntentLang 3.0 added. */
export function usesV3(entry: Entry, v3Attributes: readonly string[]): boolean {
  return (entry.body?.entries ?? []).some((e) => v3Attributes.includes(e.key) || (e.key === 'uses' && isWord(e.args[0], 'guardrail')));
}
