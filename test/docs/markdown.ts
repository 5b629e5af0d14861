/**
 * Reads the fenced code blocks of the project's Markdown (README.md and
 * docs/*.md) for the docs tests: each block with its language, its content,
 * the line of its opening fence and the markers written right above it as
 * HTML comments (`<!-- fragment -->`, `<!-- invalid: … -->`,
 * `<!-- file: path -->`, `<!-- not-a-package: reason -->`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Block {
  /** the Markdown file, relative to the checkout */
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  /** the fence's info string (`bash`, `ias`, … or `''`) */
  lang: string;
  /** the block's text, without the fences and the list indentation */
  text: string;
  /** markers from `<!-- key: value -->` lines directly above the fence */
  markers: Map<string, string>;
}

export interface Command {
  /** the command as a shell would read it: continuation lines joined, comment removed */
  text: string;
  /** `file:line` of its first line */
  at: string;
}

/** README.md and every page of docs/, relative to the checkout. */
export function markdownFiles(root = '.'): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

const FENCE = /^(\s*)```\s*([\w+-]*)\s*$/;
const MARKER = /^\s*<!--\s*([\w-]+)\s*(?::\s*(.*?))?\s*-->\s*$/;

/** The fenced blocks of `file` (a path relative to `root`), in document order. */
export function blocksOf(file: string, root = '.'): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const markers = new Map<string, string>();
    for (let j = i - 1; j >= 0; j--) {
      const m = MARKER.exec(lines[j]!);
      if (!m) break;
      markers.set(m[1]!, m[2] ?? '');
    }
    const body: string[] = [];
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) body.push(lines[end++]!.slice(indent));
    if (end >= lines.length) throw new Error(`${file}:${i + 1}: the code block is never closed`);
    blocks.push({ file, line: i + 1, lang: open[2]!, text: body.join('\n'), markers });
    i = end;
  }
  return blocks;
}

export const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console']);

/** Whether a block is an IntentLang package (or a marked fragment of one). */
export function isIas(block: Block): boolean {
  if (block.lang === 'ias') return true;
  if (block.lang !== '') return false;
  const first = block.text.split('\n').find((l) => l.trim() !== '' && !/^\s*(#|\/\/)/.test(l));
  return first !== undefined && /^package\s+"/.test(first);
}

/** `text` up to an unquoted `#` that starts a comment. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  }
  return text;
}

/**
 * The commands of a shell block. In `console` blocks only `$ ` lines are
 * commands (the rest is their output); in the others every line is, with
 * `\` continuation lines joined and `#` comments removed.
 */
export function commandsOf(block: Block): Command[] {
  const lines = block.text.split('\n');
  const out: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const first = i;
    if (block.lang === 'console') {
      if (!line.startsWith('$ ')) continue;
      line = line.slice(2);
    }
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = `${line.replace(/\\\s*$/, '')} ${lines[++i]!.trim()}`;
    const text = stripComment(line).trim();
    if (text !== '') out.push({ text, at: `${block.file}:${block.line + 1 + first}` });
  }
  return out;
}
