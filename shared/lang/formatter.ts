/**
 * The canonical printer (`agentspec fmt`): two-space indent, one blank line
 * between top-level statements, the package header first, attributes in the
 * reference's order, comments kept with the entry they precede or end, short
 * lists on one line. Printing never changes a value, so the IR is preserved.
 */
import type { Body, Entry, FileNode, Value } from './ast.js';
import { childContext, orderOf, type Ctx } from './schema.js';
import type { Token } from './tokens.js';
import { normalizeExpression } from './lower-agent-blocks.js';

const MAX_LINE = 100;

/** Quotes a string with the language's escapes; newlines stay literal (multi-line strings keep their shape). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t')}"`;
}

/** Prints a parsed file canonically. */
export function printFile(node: FileNode): string {
  const out: string[] = [];
  const header = node.entries.filter((e) => e.key === 'package');
  const rest = node.entries.filter((e) => e.key !== 'package');
  [...header, ...rest].forEach((entry, i) => {
    if (i > 0) out.push('');
    printEntry(entry, 'root', 0, out);
  });
  if (node.closing.length > 0) {
    if (out.length > 0) out.push('');
    for (const c of node.closing) out.push(c.value);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function printComments(comments: Token[], indent: string, out: string[]): void {
  for (const c of comments) out.push(`${indent}${c.value}`);
}

function printEntry(entry: Entry, ctx: Ctx, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  printComments(entry.leading, indent, out);
  const [first, ...more] = argumentLines(ctx, entry.key, entry.args);
  let head = indent + (entry.keyQuoted ? quote(entry.key) : entry.key) + (ctx === 'with' ? ':' : '');
  for (const v of first!) head += ` ${printValue(v, depth)}`;
  if (entry.call) head += `(${printValue(entry.call, depth)})`;
  const trailing = entry.trailing ? ` ${entry.trailing.value}` : '';
  if (!entry.body) {
    if (more.length === 0) {
      out.push(head + trailing);
      return;
    }
    out.push(head);
    const pad = '  '.repeat(depth + 1);
    more.forEach((line, i) => out.push(pad + line.map((v) => printValue(v, depth + 1)).join(' ') + (i === more.length - 1 ? trailing : '')));
    return;
  }
  const child = childContext(ctx, entry.key, entry.args);
  const inline = inlineBody(entry.body, child);
  if (inline !== undefined) {
    out.push(`${head} ${inline}${trailing}`);
    return;
  }
  out.push(`${head} {`);
  printBody(entry.body, child, depth + 1, out);
  out.push(`${indent}}${trailing}`);
}

/**
 * How an entry's values are laid out: all on its line, except the
 * description of a `config` parameter, the message and `when` of a `validate`
 * rule and each `input`/`expect`/`scoring`/`tags` of an `eval` case, which go
 * on lines of their own below it.
 */
function argumentLines(ctx: Ctx, key: string, args: Value[]): Value[][] {
  if (ctx === 'config') {
    const i = args.findIndex((v, j) => v.type === 'string' && j > 0 && !isWord(args[j - 1], 'default'));
    return i < 0 ? [args] : [args.slice(0, i), ...args.slice(i).map((v) => [v])];
  }
  if (ctx === 'validate' && key === 'rule') {
    const lines: Value[][] = [[]];
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!;
      if (i >= 2 && v.type === 'string' && !isWord(args[i - 1], 'max_retries')) lines.push([v]);
      else if (isWord(v, 'when') && i >= 2) lines.push([v]);
      else lines[lines.length - 1]!.push(v);
    }
    return lines;
  }
  if (ctx === 'eval' && key === 'case') {
    const lines: Value[][] = [args.slice(0, 1)];
    for (let i = 1; i + 1 < args.length + 1; i += 2) {
      const pair = args.slice(i, i + 2);
      if (isWord(pair[0], 'threshold') && isWord(lines[lines.length - 1]![0], 'scoring')) lines[lines.length - 1]!.push(...pair);
      else lines.push(pair);
    }
    return lines;
  }
  return [args];
}

function isWord(v: Value | undefined, word: string): boolean {
  return v?.type === 'ident' && v.value === word;
}

/** Secret blocks with one `env(NAME)`/`store("path")` and no comments stay on one line; so do the values of `with { … }`. */
function inlineBody(body: Body, ctx: Ctx): string | undefined {
  if (body.entries.length === 0 && body.closing.length === 0) return '{}';
  if (ctx === 'with' && body.closing.length === 0 && body.entries.every((e) => e.leading.length === 0 && !e.trailing && !e.body)) {
    return `{ ${body.entries.map((e) => `${e.key}: ${e.args.map((v) => printValue(v, 0)).join(' ')}`).join(', ')} }`;
  }
  if (ctx !== 'secret' || body.entries.length !== 1 || body.closing.length > 0) return undefined;
  const e = body.entries[0]!;
  if (e.leading.length > 0 || e.trailing || e.body || e.args.length > 0 || !e.call) return undefined;
  return `{ ${e.key}(${printValue(e.call, 0)}) }`;
}

function printBody(body: Body, ctx: Ctx, depth: number, out: string[]): void {
  const entries = body.entries.map((e, i) => ({ e, i }));
  entries.sort((a, b) => orderOf(ctx, a.e.key) - orderOf(ctx, b.e.key) || a.i - b.i);
  let previous: Entry | undefined;
  for (const { e } of entries) {
    const at = out.length;
    printEntry(e, ctx, depth, out);
    // `} else {` and `} else if … {` continue the line that closes the branch before them.
    if (ctx === 'flow' && e.key === 'else' && previous?.body && !previous.trailing && e.leading.length === 0 && out[at - 1]?.trimStart() === '}') {
      out[at - 1] += ` ${out[at]!.trimStart()}`;
      out.splice(at, 1);
    }
    previous = e;
  }
  printComments(body.closing, '  '.repeat(depth), out);
}

function printValue(v: Value, depth: number): string {
  switch (v.type) {
    case 'string':
      // The escapes as the author wrote them (`\n` or a real newline) are kept.
      return v.raw === undefined ? quote(v.value) : `"${v.raw}"`;
    case 'number':
      return v.raw;
    case 'bool':
      return String(v.value);
    case 'ident':
      return v.value;
    case 'expr':
      return normalizeExpression(v.value);
    case 'list': {
      const items = v.items.map((i) => printValue(i, depth + 1));
      const one = `[${items.join(', ')}]`;
      if (one.length + depth * 2 <= MAX_LINE && !one.includes('\n')) return one;
      const pad = '  '.repeat(depth + 1);
      return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${'  '.repeat(depth)}]`;
    }
  }
}
