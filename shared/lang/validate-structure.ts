/**
 * Structural checks: the package header, known statements and attributes,
 * value types and ranges, required attributes, one-of-a-kind attributes and
 * unique names. Driven by `schema.ts`.
 */
import type { Body, Entry, FileNode, Value } from './ast.js';
import { diagnosticAt, type Diagnostic } from './diagnostic.js';
import { nameOf, type DocumentIndex } from './document.js';
import {
  FIELD_TYPES,
  TARGETS,
  OVERLAY_KINDS,
  STATEMENTS,
  STATEMENT_BODY,
  VARIABLE_TYPES,
  V3_AGENT_ATTRIBUTES,
  V3_SKILL_ATTRIBUTES,
  V3_STATEMENTS,
  specOf,
  BLOCK_SPECS,
  type AttrSpec,
  type Ctx,
  type Shape,
} from './schema.js';
import { didYouMean } from './suggest.js';
import { checkCases, checkConfig, checkFlow, checkRules, type ExpressionCheck, type Report } from './validate-agent-blocks.js';
import { formatDuration, parseDuration, parseSize } from './units.js';
import { Span, type Range } from './tokens.js';
import { checkExpression, childrenOf, parseExpression, positionInFile, type Expr, type ExprError } from '../expr/index.js';
import { tryCompilePattern } from '../expr/regex.js';

const SEMVER = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** Language versions this toolchain reads. */
export const LANG_VERSIONS = ['2.0', '3.0'] as const;

export class StructureChecker {
  /** The `lang` of the header, once read. */
  private lang = '3.0';

  constructor(
    private readonly file: string,
    private readonly out: Diagnostic[],
    /** The file's statements by kind and name (the first of each name), for duplicate names. */
    private readonly doc: DocumentIndex,
  ) {}

  /** An expression's syntax and variables, reported where they stand in the file. */
  private readonly expression: ExpressionCheck = (value, where, variables, sends = false) => {
    const parsed = parseExpression(value.value);
    const errors = 'error' in parsed ? [parsed.error] : [...checkExpression(parsed.expr, { variables }), ...this.configReads(parsed.expr, sends)];
    for (const e of errors) {
      const from = positionInFile(value.range.start, value.value, e.offset);
      const to = positionInFile(value.range.start, value.value, e.offset + e.length);
      const range = new Span(from.line, from.column, value.range.start.offset + e.offset, to.line, to.column, value.range.start.offset + e.offset + e.length);
      this.error(range, `In ${where}: ${e.message}`, e.hint, 'expression');
    }
  };

  /** The config parameters of the agent being checked (name → secret), for `config.<name>` in its expressions. */
  private agentConfig: Map<string, boolean> | undefined;

  /** `config.<name>` must name a parameter of the agent, and a secret one must not be sent in an answer or a tool's input. */
  private configReads(expr: Expr, sends: boolean): ExprError[] {
    const config = this.agentConfig ?? new Map<string, boolean>();
    const errors: ExprError[] = [];
    const walk = (node: Expr): void => {
      if (node.kind === 'member' && node.object.kind === 'variable' && node.object.name === 'config') {
        const secret = config.get(node.property);
        if (secret === undefined) {
          const hint =
            didYouMean(node.property, [...config.keys()]) ??
            (config.size > 0 ? `the agent's config parameters are ${[...config.keys()].join(', ')}` : "declare it in the agent's config block");
          errors.push({ offset: node.offset, length: node.length, message: `Unknown config parameter "${node.property}".`, hint });
        } else if (secret && sends) {
          errors.push({
            offset: node.offset,
            length: node.length,
            message: `Config parameter "${node.property}" is secret and would be sent in the answer or a tool's input (and with it into events and logs).`,
            hint: "give secrets to tools through the tool's secrets map",
          });
        }
      }
      for (const child of childrenOf(node)) walk(child);
    };
    walk(expr);
    return errors;
  }

  private error(range: Range, message: string, hint?: string, code?: string): void {
    this.out.push(diagnosticAt(this.file, range, 'error', message, hint, code));
  }

  /** Checks the whole file. */
  checkFile(node: FileNode): void {
    if (this.file.endsWith('.az')) {
      this.error(
        node.range,
        'Files ending in .az are IntentLang 1.0 (AgentZ) files.',
        `rename the file to .ias and run \`agentspec migrate --to-v2 ${this.file}\``,
        'migrate',
      );
    }
    const first = node.entries[0];
    if (!first || first.key !== 'package') {
      const range = first ? first.keyRange : node.range;
      this.error(
        range,
        'Missing package header: a file must start with `package "<name>" version "<semver>" lang "2.0"`.',
        'add the package statement as the first line',
        'package',
      );
    }
    node.entries.forEach((entry, i) => {
      if (entry.key === 'package') {
        if (i > 0) this.error(entry.keyRange, 'The package header must be the first statement and appear once.', undefined, 'package');
        else this.checkHeader(entry);
        return;
      }
      if (!(STATEMENTS as readonly string[]).includes(entry.key)) {
        this.error(entry.keyRange, `Unknown statement "${entry.key}".`, didYouMean(entry.key, STATEMENTS), 'unknown');
        return;
      }
      if (this.lang === '2.0' && V3_STATEMENTS.includes(entry.key)) this.needsV3(entry.keyRange, `The ${entry.key} statement`);
      if (entry.key === 'state') {
        // The original's session-state backend settings: read, not used here (sessions are each deploy target's `sessions` store).
        this.out.push(
          diagnosticAt(
            this.file,
            entry.keyRange,
            'warning',
            'A state block is read but not used by this runtime.',
            'choose the session store with `sessions` in a deploy block',
            'unused',
          ),
        );
        if (entry.args.length > 1 || (entry.args[0] !== undefined && entry.args[0].type !== 'string'))
          this.error(entry.range, 'A state block reads `state ["<name>"] { type "<backend>" … }`.');
        if (entry.body) this.checkBody('state', entry.body, entry, 'the state block');
        return;
      }
      const name = nameOf(entry);
      if (name === undefined) {
        this.error(entry.range, `A ${entry.key} statement needs a quoted name: ${entry.key} "<name>".`, undefined, 'syntax');
        return;
      }
      const earlier = this.doc.names(entry.key).get(name)?.entry;
      if (earlier && earlier !== entry) {
        this.error(
          entry.args[0]!.range,
          `Duplicate ${entry.key} "${name}" (first declared on line ${earlier.range.start.line}).`,
          'names must be unique per kind',
          'duplicate',
        );
      }
      this.checkStatement(entry, name);
    });
  }

  private checkHeader(entry: Entry): void {
    const a = entry.args;
    const ok =
      a.length === 5 && a[0]?.type === 'string' && isWord(a[1], 'version') && a[2]?.type === 'string' && isWord(a[3], 'lang') && a[4]?.type === 'string';
    if (!ok) {
      this.error(entry.range, 'The package header reads `package "<name>" version "<semver>" lang "2.0"`.', undefined, 'package');
      return;
    }
    const version = (a[2] as { value: string }).value;
    if (!SEMVER.test(version)) this.error(a[2]!.range, `Package version "${version}" is not a semantic version (like "1.2.3").`);
    const lang = (a[4] as { value: string }).value;
    if (lang === '1.0') {
      this.error(
        a[4]!.range,
        'This file is IntentLang 1.0 (lang "1.0"); this runtime reads IntentLang 2.0.',
        `run \`agentspec migrate --to-v2 ${this.file}\``,
        'migrate',
      );
    } else if (!(LANG_VERSIONS as readonly string[]).includes(lang)) {
      this.error(a[4]!.range, `Unsupported language version lang "${lang}".`, 'use lang "3.0" (or "2.0")');
    }
    this.lang = lang;
  }

  private checkStatement(entry: Entry, name: string): void {
    const kind = entry.key;
    const a = entry.args;
    const what = `${kind} "${name}"`;
    if (kind === 'plugin') {
      const shapeOk = entry.body === undefined && a.length === 3 && isWord(a[1], 'version') && a[2]?.type === 'string';
      if (!shapeOk) this.error(entry.range, 'A plugin statement reads `plugin "<name>" version "<version>"`.');
      return;
    }
    if (kind === 'import') {
      let i = 1;
      if (isWord(a[i], 'version') && a[i + 1]?.type === 'string') i += 2;
      if (isWord(a[i], 'as') && (a[i + 1]?.type === 'ident' || a[i + 1]?.type === 'string')) i += 2;
      if (entry.body !== undefined || i !== a.length) this.error(entry.range, 'An import reads `import "<path>" [version "<version>"] [as <alias>]`.');
      return;
    }
    if (kind === 'deploy') {
      const target = a[2];
      if (a.length !== 3 || !isWord(a[1], 'target') || target?.type !== 'string') {
        this.error(entry.range, `A deploy statement reads \`deploy "<name>" target "<target>" { … }\`.`);
      } else if (!(TARGETS as readonly string[]).includes(target.value)) {
        this.error(
          target.range,
          `Deploy target "${target.value}" is not one of ${TARGETS.join(', ')}.`,
          didYouMean(target.value, TARGETS) ?? `use one of: ${TARGETS.join(', ')}`,
          'enum',
        );
      }
    } else if (kind === 'type') {
      if (entry.body) {
        if (a.length !== 1) this.error(entry.range, 'A type is either a field block, `enum [...]` or `list <type>`.');
        this.checkFields(entry.body, 'fields', what);
        return;
      }
      const list = a[2];
      if (a.length === 3 && isWord(a[1], 'enum') && list?.type === 'list') {
        const items = list.items;
        if (items.length === 0 || items.some((i) => i.type !== 'string')) this.error(list.range, `The enum of ${what} must list one or more strings.`);
        return;
      }
      if (a.length === 3 && isWord(a[1], 'list') && (a[2]?.type === 'string' || a[2]?.type === 'ident')) {
        this.checkFieldType(a[2], 'fields');
        return;
      }
      this.error(entry.range, `Type ${what} must be a field block, \`enum ["a", "b"]\` or \`list <type>\`.`);
      return;
    } else if (a.length !== 1) {
      this.error(a[1]?.range ?? entry.range, `Unexpected value after ${what}.`);
    }
    if (!entry.body) {
      this.error(entry.range, `${what} needs a block: ${kind} "${name}" { … }.`);
      return;
    }
    this.checkBody(STATEMENT_BODY[kind]!, entry.body, entry, what);
  }

  /** Checks a block against its spec. */
  checkBody(ctx: Ctx, body: Body, owner: Entry, what: string): void {
    if (ctx === 'map') return this.checkMap(body, what);
    if (ctx === 'fields' || ctx === 'variables') return this.checkFields(body, ctx, what);
    if (ctx === 'environment') return this.checkEnvironment(body, what);
    const report: Report = (range, message, hint, code, severity = 'error') => this.out.push(diagnosticAt(this.file, range, severity, message, hint, code));
    if (ctx === 'agent') this.agentConfig = configParameters(body);
    if (ctx === 'config') return checkConfig(body, what, report);
    if (ctx === 'validate') return checkRules(body, what, report, this.expression);
    if (ctx === 'eval') return checkCases(body, what, report);
    if (ctx === 'flow') return checkFlow(body, what, report, this.expression);
    if (ctx === 'state') return this.checkMap(body, what);
    const specs = BLOCK_SPECS[ctx];
    if (!specs) return;
    const seen = new Set<string>();
    for (const e of body.entries) {
      const spec = specOf(ctx, e.key);
      if (!spec) {
        this.error(
          e.keyRange,
          `Unknown attribute "${e.key}" in ${what}.`,
          didYouMean(
            e.key,
            specs.map((s) => s.name),
          ) ?? `known: ${specs.map((s) => s.name).join(', ')}`,
          'unknown',
        );
        continue;
      }
      if (!spec.repeat && seen.has(e.key)) this.error(e.keyRange, `Attribute "${e.key}" appears more than once in ${what}.`, undefined, 'duplicate');
      seen.add(e.key);
      if (ctx === 'agent' && this.lang === '2.0' && V3_AGENT_ATTRIBUTES.includes(e.key)) this.needsV3(e.keyRange, `"${e.key}" in an agent`);
      if (ctx === 'skill' && this.lang === '2.0' && V3_SKILL_ATTRIBUTES.includes(e.key)) this.needsV3(e.keyRange, `"${e.key}" in a skill`);
      this.checkAttr(ctx, spec, e, what);
    }
    for (const spec of specs) {
      if (spec.required && !seen.has(spec.name)) {
        this.error(owner.keyRange, `${capitalise(what)} is missing the required attribute "${spec.name}".`, undefined, 'required');
      }
    }
    if (ctx === 'agent' && !seen.has('model') && !seen.has('models')) {
      this.error(owner.keyRange, `${capitalise(what)} is missing the required attribute "model" (or a "models" list).`, undefined, 'required');
    }
    if (ctx === 'agent' && seen.has('strategy') && seen.has('loop')) {
      this.error(owner.keyRange, `${capitalise(what)} sets both "strategy" and "loop", which mean the same; keep one.`, undefined, 'duplicate');
    }
    if (ctx === 'guardrail') this.checkGuardrail(body, owner, what);
    if (ctx === 'secret' && !seen.has('env') === !seen.has('store')) {
      this.error(owner.keyRange, `${capitalise(what)} must say where its value comes from: env(NAME) or store("path"), exactly one.`, undefined, 'required');
    }
  }

  private checkAttr(ctx: Ctx, spec: AttrSpec, e: Entry, what: string): void {
    const where = `"${e.key}" in ${what}`;
    if (spec.shape) {
      if (spec.shape === 'key') {
        const ok =
          e.body === undefined &&
          (e.call ? e.args.length === 1 && isWord(e.args[0], 'secret') && e.call.type === 'string' : e.args.length === 1 && e.args[0]?.type === 'string');
        if (!ok) this.badShape(e, what, 'key secret("<secret or env var>")` or `key "<secret or env var>"');
        return;
      }
      if (spec.shape === 'call') {
        if (!e.call || e.args.length > 0 || e.body) this.error(e.range, `Write ${e.key}(${e.key === 'env' ? 'NAME' : '"path"'}) in ${what}.`);
        return;
      }
      if (e.call) this.error(e.range, `Unexpected "(" after ${where}.`);
      this.checkShape(spec.shape, e, what);
      return;
    }
    if (e.call) this.error(e.range, `Unexpected "(" after ${where}.`);
    if (spec.block) {
      if (!e.body || e.args.length > 0) this.error(e.range, `${where} takes a block: ${e.key} { … }.`);
      else this.checkBody(spec.block, e.body, e, `${e.key} of ${what}`);
      return;
    }
    if (e.body) this.error(e.body.range, `${where} does not take a block.`);
    if (e.args.length !== 1) {
      this.error(e.args[1]?.range ?? e.range, `${where} takes exactly one value.`);
      return;
    }
    this.checkValue(spec, e.args[0]!, where, ctx);
  }

  /** Checks one value against an attribute spec (also used by environment overlays, which coerce strings). */
  checkValue(spec: AttrSpec, v: Value, where: string, _ctx: Ctx, coerce = false): void {
    const type = spec.value ?? 'string';
    const text = v.type === 'list' ? undefined : String(v.value);
    let num: number | undefined = v.type === 'number' ? v.value : undefined;
    if (coerce && v.type === 'string' && (type === 'int' || type === 'number') && v.value.trim() !== '' && Number.isFinite(Number(v.value)))
      num = Number(v.value);
    switch (type) {
      case 'string':
        if (v.type !== 'string') return this.error(v.range, `${where} must be a quoted string.`);
        break;
      case 'strings':
        if (v.type !== 'list' || v.items.some((i) => i.type !== 'string')) return this.error(v.range, `${where} must be a list of strings, like ["a", "b"].`);
        return;
      case 'bool':
        if (v.type !== 'bool' && !(coerce && (text === 'true' || text === 'false'))) return this.error(v.range, `${where} must be true or false.`);
        return;
      case 'int':
      case 'number':
        if (num === undefined) return this.error(v.range, `${where} must be a number.`);
        if (type === 'int' && !Number.isInteger(num)) return this.error(v.range, `${where} must be a whole number.`);
        if ((spec.min !== undefined && num < spec.min) || (spec.max !== undefined && num > spec.max)) {
          return this.error(
            v.range,
            `${where} is ${num}, outside ${spec.min ?? '-∞'}..${spec.max ?? '∞'}.`,
            `${spec.name} must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}`,
            'range',
          );
        }
        return;
      case 'duration': {
        const duration = v.type === 'string' ? parseDuration(v.value) : undefined;
        if (duration === undefined) return this.error(v.range, `${where} must be a duration like "500ms", "10s" or "2m".`);
        if ((spec.min !== undefined && duration < spec.min) || (spec.max !== undefined && duration > spec.max)) {
          const bounds = `${formatDuration(spec.min ?? 0)}..${spec.max === undefined ? '∞' : formatDuration(spec.max)}`;
          return this.error(v.range, `${where} is ${(v as { value: string }).value}, outside ${bounds}.`, `${spec.name} must be between ${bounds}`, 'range');
        }
        return;
      }
      case 'size':
        if (v.type !== 'string' || parseSize(v.value) === undefined) return this.error(v.range, `${where} must be a size like "128Mi" or "1Gi".`);
        return;
    }
    if (spec.oneOf && v.type === 'string' && !spec.oneOf.includes(v.value) && !(spec.aliases && v.value in spec.aliases)) {
      this.error(
        v.range,
        `${where} is "${v.value}", which is not one of ${spec.oneOf.join(', ')}.`,
        didYouMean(v.value, spec.oneOf) ?? `use one of: ${spec.oneOf.join(', ')}`,
        'enum',
      );
    }
  }

  private checkShape(shape: Exclude<Shape, 'call'>, e: Entry, what: string): void {
    const a = e.args;
    switch (shape) {
      case 'uses':
        if (a.length !== 2 || !(isWord(a[0], 'prompt') || isWord(a[0], 'skill') || isWord(a[0], 'guardrail')) || a[1]?.type !== 'string')
          this.badShape(e, what, 'uses prompt "<name>"`, `uses skill "<name>"` or `uses guardrail "<name>"');
        else if (isWord(a[0], 'guardrail') && this.lang === '2.0') this.needsV3(a[0]!.range, '`uses guardrail`');
        return;
      case 'ref':
        if (a.length !== 1 || (a[0]?.type !== 'string' && a[0]?.type !== 'ident') || e.body) this.badShape(e, what, `${e.key} "<name>"`);
        return;
      case 'budget':
        if (a.length !== 2 || !(isWord(a[0], 'daily') || isWord(a[0], 'monthly')) || a[1]?.type !== 'number' || a[1].value <= 0 || e.body) {
          this.badShape(e, what, 'budget daily <USD>` or `budget monthly <USD>');
        }
        return;
      case 'key':
        return; // checked with the calls above
      case 'on':
        if (a.length !== 1 || !isWord(a[0], 'input') || !e.body) this.badShape(e, what, 'on input { … }');
        else this.checkBody('flow', e.body, e, `the on input block of ${what}`);
        return;
      case 'exposes':
        if (a.length !== 2 || !isWord(a[0], 'skill') || a[1]?.type !== 'string') this.badShape(e, what, 'exposes skill "<name>"');
        return;
      case 'connects': {
        const target = what.startsWith('client') ? 'server' : 'client';
        if (a.length !== 3 || !isWord(a[0], 'to') || !isWord(a[1], target) || a[2]?.type !== 'string') this.badShape(e, what, `connects to ${target} "<name>"`);
        return;
      }
      case 'delegate':
        if (a.length !== 5 || !isWord(a[0], 'to') || !isWord(a[1], 'agent') || a[2]?.type !== 'string' || !isWord(a[3], 'when') || a[4]?.type !== 'string') {
          this.badShape(e, what, 'delegate to agent "<name>" when "<condition>"');
        }
        return;
      case 'rule':
        // the value quoted, or bare as the original toolchain writes it (`deny model claude-haiku-latest`)
        if (a.length !== 2 || a[0]?.type !== 'ident' || (a[1]?.type !== 'string' && a[1]?.type !== 'ident'))
          this.badShape(e, what, `${e.key} <subject> "<value>"\` or \`${e.key} <subject> <value>`);
        return;
      case 'step':
        if (a.length !== 1 || a[0]?.type !== 'string' || !e.body) this.badShape(e, what, 'step "<name>" { agent "<agent>" … }');
        else this.checkBody('step', e.body, e, `step "${a[0].value}" of ${what}`);
        return;
      case 'tool': {
        const kind = a[0]?.type === 'ident' ? a[0].value : undefined;
        if (kind === 'mcp') {
          if (a.length !== 2 || a[1]?.type !== 'string' || !/^[^/]+\/.+$/.test(a[1].value) || e.body) this.badShape(e, what, 'tool mcp "<server>/<tool>"');
          return;
        }
        if (kind === 'http' || kind === 'command' || kind === 'inline') {
          if (a.length !== 1 || !e.body) this.badShape(e, what, `tool ${kind} { … }`);
          else this.checkBody(kind, e.body, e, `the ${kind} tool of ${what}`);
          return;
        }
        this.error(
          a[0]?.range ?? e.range,
          `Unknown tool kind${kind ? ` "${kind}"` : ''} in ${what}.`,
          kind ? (didYouMean(kind, ['mcp', 'http', 'command', 'inline']) ?? 'use mcp, http, command or inline') : 'use mcp, http, command or inline',
        );
        return;
      }
    }
  }

  /** A 3.0 construct in a file that declares lang "2.0": read all the same, with a nudge (the original reads it too). */
  private needsV3(range: Range, what: string): void {
    this.out.push(
      diagnosticAt(
        this.file,
        range,
        'warning',
        `${what} is IntentLang 3.0; this file declares lang "2.0".`,
        'declare lang "3.0" (agentspec migrate --to-v3)',
        'lang',
      ),
    );
  }

  private checkGuardrail(body: Body, owner: Entry, what: string): void {
    const mode = body.entries.find((e) => e.key === 'mode')?.args[0];
    const has = (key: string) => body.entries.some((e) => e.key === key);
    if (!mode) this.error(owner.keyRange, `${capitalise(what)} needs a mode: mode "warn" or mode "block".`, undefined, 'required');
    if (!has('keywords') && !has('patterns'))
      this.error(owner.keyRange, `${capitalise(what)} needs keywords [...] or patterns [...] (or both).`, undefined, 'required');
    if (mode?.type === 'string' && mode.value === 'block' && !has('fallback')) {
      this.error(owner.keyRange, `${capitalise(what)} blocks, so it needs the fallback answer it gives instead: fallback "<message>".`, undefined, 'required');
    }
    for (const e of body.entries.filter((x) => x.key === 'patterns')) {
      const list = e.args[0];
      if (list?.type !== 'list') continue;
      for (const item of list.items) {
        if (item.type !== 'string') continue;
        const compiled = tryCompilePattern(item.value);
        if (typeof compiled === 'string')
          this.error(item.range, `Pattern ${JSON.stringify(item.value)} of ${what} is not a valid regular expression: ${compiled}.`);
      }
    }
  }

  private badShape(e: Entry, what: string, form: string): void {
    this.error(e.range, `In ${what}, write \`${form}\`.`);
  }

  private checkMap(body: Body, what: string): void {
    const seen = new Set<string>();
    for (const e of body.entries) {
      if (seen.has(e.key)) this.error(e.keyRange, `Key "${e.key}" appears more than once in ${what}.`, undefined, 'duplicate');
      seen.add(e.key);
      if (e.args.length !== 1 || e.args[0]?.type !== 'string' || e.body || e.call) this.error(e.range, `In ${what}, write \`${e.key} "<value>"\`.`);
    }
  }

  private checkFields(body: Body, ctx: 'fields' | 'variables', what: string): void {
    const seen = new Set<string>();
    for (const e of body.entries) {
      if (seen.has(e.key)) this.error(e.keyRange, `Field "${e.key}" appears more than once in ${what}.`, undefined, 'duplicate');
      seen.add(e.key);
      const a = e.args;
      if (e.body || e.call || a.length === 0) {
        this.error(e.range, `In ${what}, write \`${e.key} <type> [required] [default "<value>"]\`.`);
        continue;
      }
      let i = 1;
      if (isWord(a[0], 'list') && ctx === 'fields') {
        if (!a[1]) {
          this.error(e.range, `Field "${e.key}" in ${what}: list needs an element type.`);
          continue;
        }
        this.checkFieldType(a[1], ctx);
        i = 2;
      } else this.checkFieldType(a[0]!, ctx);
      for (; i < a.length; i++) {
        if (isWord(a[i], 'required')) continue;
        if (isWord(a[i], 'default') && a[i + 1] && a[i + 1]!.type !== 'list') {
          i++;
          continue;
        }
        this.error(a[i]!.range, `Unexpected value in field "${e.key}" of ${what}.`, 'a field reads: name type [required] [default "value"]');
        break;
      }
    }
  }

  private checkFieldType(v: Value, ctx: 'fields' | 'variables'): void {
    if (ctx === 'variables') {
      if (v.type !== 'ident' || !(VARIABLE_TYPES as readonly string[]).includes(v.value)) {
        this.error(v.range, `Variable type must be one of ${VARIABLE_TYPES.join(', ')}.`, v.type === 'ident' ? didYouMean(v.value, VARIABLE_TYPES) : undefined);
      }
      return;
    }
    if (v.type === 'string') return; // a reference to a declared type, resolved later
    if (v.type !== 'ident' || !(FIELD_TYPES as readonly string[]).includes(v.value)) {
      const text = v.type === 'list' ? '[…]' : String(v.value);
      this.error(
        v.range,
        `Unknown field type "${text}".`,
        (v.type === 'ident' ? didYouMean(v.value, FIELD_TYPES) : undefined) ?? `use ${FIELD_TYPES.join(', ')}, list <type> or the quoted name of a type`,
      );
    }
  }

  private checkEnvironment(body: Body, what: string): void {
    for (const e of body.entries) {
      const ctx = OVERLAY_KINDS[e.key];
      if (!ctx) {
        this.error(
          e.keyRange,
          `Environments overlay ${Object.keys(OVERLAY_KINDS).join(', ')}; "${e.key}" is not one of them.`,
          didYouMean(e.key, Object.keys(OVERLAY_KINDS)),
        );
        continue;
      }
      if (e.args.length !== 1 || e.args[0]?.type !== 'string' || !e.body) {
        this.error(e.range, `In ${what}, write \`${e.key} "<name>" { <attribute> <value> }\`.`);
        continue;
      }
      const target = `${e.key} "${e.args[0].value}" in ${what}`;
      for (const o of e.body.entries) {
        const spec = specOf(ctx, o.key);
        if (!spec || spec.block || spec.shape || spec.value === 'strings') {
          const names = (BLOCK_SPECS[ctx] ?? []).filter((s) => !s.block && !s.shape && s.value !== 'strings').map((s) => s.name);
          this.error(o.keyRange, `"${o.key}" cannot be overlaid on ${target}.`, didYouMean(o.key, names) ?? `overlayable: ${names.join(', ')}`, 'unknown');
          continue;
        }
        if (o.args.length !== 1 || o.body) {
          this.error(o.range, `"${o.key}" in ${target} takes exactly one value.`);
          continue;
        }
        this.checkValue(spec, o.args[0]!, `"${o.key}" in ${target}`, ctx, true);
      }
    }
  }
}

/** The parameters of an agent's config block: name → whether it is secret. */
function configParameters(body: Body): Map<string, boolean> {
  const config = body.entries.find((e) => e.key === 'config')?.body;
  return new Map((config?.entries ?? []).map((e) => [e.key, e.args.some((v) => isWord(v, 'secret'))]));
}

function isWord(v: Value | undefined, word: string): boolean {
  return v?.type === 'ident' && v.value === word;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
