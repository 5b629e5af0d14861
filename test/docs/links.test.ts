/**
 * The README stays a short guide (at most 15 KB) and every relative link of
 * the README and docs/ points to a file of the checkout and, with `#anchor`,
 * to a heading of that file (GitHub's anchors: lower case, punctuation
 * dropped, spaces as hyphens, `-1`, `-2` … for repeated headings). A file
 * path the docs or a source comment name (`shared/loop/runtime.ts`, or a bare
 * `runtime.md` for a page of docs/) exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/source-files.js';
import { markdownFiles } from './markdown.js';

/** The anchors GitHub gives the headings of a Markdown text (fenced code skipped). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** `[text](target)` links outside fenced code, with their line numbers. */
function linksOf(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

/** A path from the checkout's root, written in prose or a comment. */
const PROJECT_PATH = /(?<![\w./-])(?:(?:shared|local|functions|infra|test|bench|scripts|docs|examples)\/[\w./-]+\.(?:ts|mjs|md|ias|json|sh)|[\w-]+\.md)\b/g;
const SOURCE_FOLDERS = ['shared', 'functions', 'infra', 'local', 'bench', 'scripts', 'test'];

describe('README and docs links', () => {
  it('names only project files that exist, in the docs and in source comments', () => {
    const files = [...markdownFiles(), ...SOURCE_FOLDERS.flatMap((dir) => sourceFiles(dir, (name) => /\.(ts|mjs|mts|sh)$/.test(name)))];
    const missing = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => [...line.matchAll(PROJECT_PATH)].map((m) => ({ path: m[0], at: `${file}:${i + 1}` })))
        .filter(({ path }) => !existsSync(path) && !(!path.includes('/') && (existsSync(`docs/${path}`) || existsSync(path))))
        .map(({ path, at }) => `${at}: ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it('keeps the README at most 15 KB', () => {
    expect(statSync('README.md').size).toBeLessThanOrEqual(15 * 1024);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(file, 'utf8');
      for (const { target, line } of linksOf(text)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const resolved = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(resolved)) {
          broken.push(`${file}:${line}: ${target} (no file ${resolved})`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
