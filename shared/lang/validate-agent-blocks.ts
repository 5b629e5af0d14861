/**
 * Structural checks of the blocks IntentLang 3.0 added inside an agent:
 * `config` parameters, `validate` rules, `eval` cases and the `on input`
 * control flow. Each is written as lines of words rather than attributes, so
 * each has its own reader here; expressions are left to `checkExpression`.
 */
import type { Body, Entry, Value } from './ast.js';
import { CONFIG_TYPES, RULE_SEVERITIES, SCORING_METHODS } from '../ir/enums.js';
import { didYouMean } from './suggest.js';
import { ON_INPUT_VARIABLES, VALIDATE_VARIABLES } from '../expr/index.js';
import type { Range } from './tokens.js';

export type Report = (range: Range, message: string, hint?: string, code?: string, severity?: 'error' | 'warning') => void;

/**
 * Checks the text of one expression where it stands, against the variables
 * in scope there; `sends` marks the places whose value leaves the run (an
 * answer, a tool's input), where a secret config parameter must not go.
 */
export type ExpressionCheck = (value: Value & { type: 'expr' }, where: string, variables: readonly string[], sends?: boolean) => void;

const FLOW_STATEMENTS = ['use', 'delegate', 'respond', 'if', 'else', 'for'];

function isWord(v: Value | undefined, word: string): boolean {
  return v?.type === 'ident' && v.value === word;
}

function isName(v: Value | undefined): v is Value & { type: 'ident' | 'string' } {
  return v?.type === 'ident' || v?.type === 'string';
}

function checkOne(e: Entry, report: Report, what: string): boolean {
  if (e.body || e.call) {
    report(e.range, `Unexpected ${e.body ? 'block' : '"("'} in ${what}.`);
    return false;
  }
  return true;
}

/** `config { name type [required] [secret] [default "v"] "description" }` */
export function checkConfig(body: Body, what: string, report: Report): void {
  const seen = new Set<string>();
  for (const e of body.entries) {
    if (!checkOne(e, report, what)) continue;
    if (seen.has(e.key)) report(e.keyRange, `Config parameter "${e.key}" appears more than once in ${what}.`, undefined, 'duplicate');
    seen.add(e.key);
    const [type, ...rest] = e.args;
    if (type?.type !== 'ident' && type?.type !== 'string') {
      report(
        e.range,
        `Config parameter "${e.key}" needs a type: ${e.key} <${CONFIG_TYPES.join('|')}> [required] [secret] [default "<value>"] "<description>".`,
      );
      continue;
    }
    if (!(CONFIG_TYPES as readonly string[]).includes(type.value)) {
      report(type.range, `Config type "${type.value}" is not one of ${CONFIG_TYPES.join(', ')}.`, didYouMean(type.value, CONFIG_TYPES), 'enum');
    }
    let required: Value | undefined;
    let fallback: Value | undefined;
    for (let i = 0; i < rest.length; i++) {
      const v = rest[i]!;
      if (isWord(v, 'required')) required = v;
      else if (isWord(v, 'secret')) continue;
      else if (isWord(v, 'default')) {
        fallback = rest[i + 1];
        if (!fallback || fallback.type === 'list' || fallback.type === 'expr') report(v.range, `"default" of config parameter "${e.key}" needs a value.`);
        else checkDefault(type.value, fallback, e.key, report);
        i++;
      } else if (v.type === 'string' && i === rest.length - 1) continue;
      else
        report(v.range, `Unexpected value in config parameter "${e.key}".`, 'a parameter reads: name type [required] [secret] [default "value"] "description"');
    }
    if (required && fallback) report(required.range, `Config parameter "${e.key}" is required and has a default: it can be one or the other.`);
  }
}

function checkDefault(type: string, v: Value, name: string, report: Report): void {
  const text = v.type === 'string' || v.type === 'ident' ? v.value : v.type === 'number' ? v.raw : v.type === 'bool' ? String(v.value) : '';
  const ok =
    type === 'string' ||
    (type === 'int' && /^-?\d+$/.test(text)) ||
    (type === 'float' && text.trim() !== '' && Number.isFinite(Number(text))) ||
    (type === 'bool' && (text === 'true' || text === 'false'));
  if (!ok && (CONFIG_TYPES as readonly string[]).includes(type)) report(v.range, `Default "${text}" of config parameter "${name}" is not a valid ${type}.`);
}

/** `validate { rule name error|warning [max_retries n] "message" when <expr> }` */
export function checkRules(body: Body, what: string, report: Report, expression: ExpressionCheck): void {
  const seen = new Set<string>();
  for (const e of body.entries) {
    if (e.key !== 'rule') {
      report(
        e.keyRange,
        `Unexpected "${e.key}" in ${what}: a validate block holds rules.`,
        'write `rule <name> error|warning "<message>" when <expression>`',
        'unknown',
      );
      continue;
    }
    if (!checkOne(e, report, what)) continue;
    const [name, severity, ...rest] = e.args;
    if (!isName(name) || !isName(severity)) {
      report(e.range, `In ${what}, write \`rule <name> error|warning "<message>" when <expression>\`.`);
      continue;
    }
    if (seen.has(name.value)) report(name.range, `Rule "${name.value}" appears more than once in ${what}.`, undefined, 'duplicate');
    seen.add(name.value);
    if (!(RULE_SEVERITIES as readonly string[]).includes(severity.value)) {
      report(
        severity.range,
        `Rule severity "${severity.value}" is not one of ${RULE_SEVERITIES.join(', ')}.`,
        didYouMean(severity.value, RULE_SEVERITIES),
        'enum',
      );
    }
    let when = false;
    for (let i = 0; i < rest.length; i++) {
      const v = rest[i]!;
      if (isWord(v, 'max_retries')) {
        const n = rest[i + 1];
        if (n?.type !== 'number' || !Number.isInteger(n.value) || n.value < 0 || n.value > 10)
          report(n?.range ?? v.range, `max_retries of rule "${name.value}" must be a whole number 0..10.`);
        i++;
      } else if (isWord(v, 'when')) {
        const x = rest[i + 1];
        if (x?.type === 'expr') expression(x, `the rule "${name.value}"`, VALIDATE_VARIABLES);
        when = true;
        i++;
      } else if (v.type !== 'string') {
        report(v.range, `Unexpected value in rule "${name.value}".`, 'a rule reads: rule name error|warning [max_retries n] "message" when <expression>');
      }
    }
    if (!when)
      report(
        e.keyRange,
        `Rule "${name.value}" has no \`when\` expression, so it can never fail.`,
        'add `when <expression>` (the condition the answer must meet)',
        'rule',
        'warning',
      );
  }
}

/** `eval { case name input "…" expect "…" scoring <method> [threshold n] tags [...] }` */
export function checkCases(body: Body, what: string, report: Report): void {
  const seen = new Set<string>();
  for (const e of body.entries) {
    if (e.key !== 'case') {
      report(
        e.keyRange,
        `Unexpected "${e.key}" in ${what}: an eval block holds cases.`,
        'write `case <name> input "…" expect "…" scoring <method>`',
        'unknown',
      );
      continue;
    }
    if (!checkOne(e, report, what)) continue;
    const [name, ...rest] = e.args;
    if (!isName(name)) {
      report(e.range, `In ${what}, write \`case <name> input "…" expect "…" scoring <method>\`.`);
      continue;
    }
    if (seen.has(name.value)) report(name.range, `Eval case "${name.value}" appears more than once in ${what}.`, undefined, 'duplicate');
    seen.add(name.value);
    const words = new Set<string>();
    for (let i = 0; i < rest.length; i += 2) {
      const word = rest[i]!;
      const v = rest[i + 1];
      const key = word.type === 'ident' ? word.value : '';
      if (words.has(key)) report(word.range, `"${key}" appears more than once in eval case "${name.value}".`, undefined, 'duplicate');
      words.add(key);
      const where = `"${key}" of eval case "${name.value}"`;
      if (!v) {
        report(word.range, `${where} needs a value.`);
        continue;
      }
      if ((key === 'input' || key === 'expect') && v.type !== 'string') report(v.range, `${where} must be a quoted string.`);
      if (key === 'scoring') {
        if (!isName(v)) report(v.range, `${where} must name a method: ${SCORING_METHODS.join(', ')}.`);
        else if (!(SCORING_METHODS as readonly string[]).includes(v.value)) {
          report(v.range, `Scoring method "${v.value}" is not one of ${SCORING_METHODS.join(', ')}.`, didYouMean(v.value, SCORING_METHODS), 'enum');
        }
      }
      if (key === 'threshold' && (v.type !== 'number' || v.value < 0 || v.value > 1)) report(v.range, `${where} must be a number from 0 to 1.`);
      if (key === 'tags' && (v.type !== 'list' || v.items.some((t) => t.type !== 'string'))) report(v.range, `${where} must be a list of strings.`);
    }
    if (!words.has('input')) report(e.keyRange, `Eval case "${name.value}" has no input.`, 'add `input "<message>"`', 'required');
  }
}

/** `on input { use skill s [with { k: <expr> }] | delegate to a | respond "text"|<expr> | if … else … | for each x in <expr> { … } }` */
export function checkFlow(body: Body, what: string, report: Report, expression: ExpressionCheck, variables: readonly string[] = ON_INPUT_VARIABLES): void {
  let previous: Entry | undefined;
  for (const e of body.entries) {
    const a = e.args;
    if (e.call) report(e.range, `Unexpected "(" in ${what}.`);
    switch (e.key) {
      case 'use':
        if (a.length < 2 || !isWord(a[0], 'skill') || !isName(a[1]) || (a.length === 3 && !isWord(a[2], 'with')) || isWord(a[2], 'with') !== !!e.body) {
          report(e.range, `In ${what}, write \`use skill <name>\` or \`use skill <name> with { key: <expression> }\`.`);
        } else if (e.body) {
          for (const p of e.body.entries) {
            const x = p.args[0];
            if (x?.type === 'expr') expression(x, `"${p.key}" of \`use skill ${a[1].value}\``, variables, true);
          }
        }
        break;
      case 'delegate':
        if (a.length !== 2 || !isWord(a[0], 'to') || !isName(a[1]) || e.body) report(e.range, `In ${what}, write \`delegate to <agent>\`.`);
        break;
      case 'respond': {
        const x = a[0];
        if (a.length !== 1 || e.body || (x?.type !== 'string' && x?.type !== 'expr'))
          report(e.range, `In ${what}, write \`respond "<text>"\` or \`respond <expression>\`.`);
        else if (x.type === 'expr') expression(x, 'respond', variables, true);
        break;
      }
      case 'if':
        if (a[0]?.type !== 'expr' || !e.body) report(e.range, `In ${what}, write \`if <condition> { … }\`.`);
        else expression(a[0], 'the condition', variables);
        break;
      case 'else': {
        const after = previous?.key === 'if' || (previous?.key === 'else' && isWord(previous.args[0], 'if'));
        if (!after) report(e.keyRange, '`else` must follow the `}` of an `if` or `else if`.');
        const elseIf = isWord(a[0], 'if');
        if (!e.body || (elseIf ? a[1]?.type !== 'expr' || a.length !== 2 : a.length !== 0))
          report(e.range, `In ${what}, write \`else { … }\` or \`else if <condition> { … }\`.`);
        else if (elseIf && a[1]?.type === 'expr') expression(a[1], 'the condition', variables);
        break;
      }
      case 'for':
        if (a.length !== 4 || !isWord(a[0], 'each') || a[1]?.type !== 'ident' || !isWord(a[2], 'in') || a[3]?.type !== 'expr' || !e.body) {
          report(e.range, `In ${what}, write \`for each <name> in <expression> { … }\`.`);
        } else expression(a[3], 'the collection', variables);
        break;
      default:
        report(e.keyRange, `Unknown statement "${e.key}" in ${what}.`, didYouMean(e.key, FLOW_STATEMENTS) ?? `use ${FLOW_STATEMENTS.join(', ')}`, 'unknown');
    }
    const loopVariable = e.key === 'for' && isWord(a[0], 'each') && a[1]?.type === 'ident' && isWord(a[2], 'in') ? [a[1].value] : [];
    if (e.body && e.key !== 'use') checkFlow(e.body, what, report, expression, [...variables, ...loopVariable]);
    previous = e;
  }
}
