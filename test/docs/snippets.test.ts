/**
 * Every TypeScript block of the README and docs type-checks against the
 * package's public entries, the way a user would write it: `agentspec-runtime`
 * resolves to `index.ts` (and `agentspec-runtime/client` to the client's), and a block is a module of its own, read as if it
 * were a file in `test/docs/` (so a contributor's snippet can import a test
 * helper by its relative path). The names a snippet takes as given — the
 * `ir` it was handed, a `signal` — are declared once below, with their types.
 */
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { blocksOf, markdownFiles, type Block } from './markdown.js';

const ROOT = resolve('.');
/** where the snippets are read as if they were files (they are never written) */
const AS_IF_IN = join(ROOT, 'test', 'docs');
const TS_LANGS = new Set(['ts', 'typescript']);

/** What the docs' snippets use without defining it. */
const GIVEN = `
import type { IRDocument, ModelProvider, ModelRequest, RuntimeObserver, SessionStore, ToolRegistry } from 'agentspec-runtime';
declare global {
  const ir: IRDocument;
  const irJson: unknown;
  const source: string;
  const signal: AbortSignal;
  const sessionId: string;
  const messages: ModelRequest['messages'];
  const providerFor: (provider: string) => ModelProvider;
  const tools: ToolRegistry;
  const sessions: SessionStore;
  const observer: RuntimeObserver;
}
export {};
`;

function typeErrors(blocks: Block[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    baseUrl: ROOT,
    paths: { 'agentspec-runtime': ['./index.ts'], 'agentspec-runtime/client': ['./shared/client/index.ts'] },
    noUnusedLocals: false,
  };
  const virtual = new Map<string, { text: string; at: string }>();
  virtual.set(join(AS_IF_IN, '__given.d.ts'), { text: GIVEN, at: 'given names' });
  blocks.forEach((block, i) => virtual.set(join(AS_IF_IN, `__snippet_${i}.ts`), { text: block.text, at: `${block.file}:${block.line}` }));

  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => virtual.get(resolve(name))?.text ?? readFile(name);
  host.fileExists = (name) => virtual.has(resolve(name)) || fileExists(name);
  host.getSourceFile = (name, language, onError, create) => {
    const own = virtual.get(resolve(name));
    return own ? ts.createSourceFile(name, own.text, language, true) : getSourceFile(name, language, onError, create);
  };

  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && virtual.has(resolve(d.file.fileName)))
    .map((d) => {
      const own = virtual.get(resolve(d.file!.fileName))!;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const [file, fence] = own.at.split(':');
      return `${file}:${Number(fence) + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

describe('TypeScript in the docs', () => {
  const blocks = markdownFiles().flatMap((file) => blocksOf(file).filter((b) => TS_LANGS.has(b.lang)));

  it('finds the blocks it checks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(blocks.map((b) => dirname(b.file)))).toContain('docs');
  });

  it('type-checks every block against the public entry', () => {
    expect(typeErrors(blocks)).toEqual([]);
  }, 120_000);
});
