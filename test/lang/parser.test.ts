/** Lexer and parser: tokens and nodes carry locations; comments ride on the side; recovery. */
import { describe, expect, it } from 'vitest';
import { lex, parse, TokenKind } from '../../shared/lang/index.js';

describe('lexer', () => {
  it('produces located tokens whose kinds print well, with comments on the side', () => {
    const { tokens, comments, diagnostics } = lex('agent "a" { # c\n  max_turns -3\n}', 'x.ias');
    expect(diagnostics).toEqual([]);
    expect(tokens.map((t) => t.kind)).toEqual([TokenKind.Identifier, TokenKind.String, '{', TokenKind.Identifier, TokenKind.Number, '}', '<EOF>']);
    expect(tokens[4]).toMatchObject({ value: '-3', start: { line: 2, column: 13, offset: 28 }, end: { line: 2, column: 15 } });
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ value: '# c', start: { line: 1, column: 13 } });
  });

  it('decodes escapes and lets strings span lines', () => {
    const { tokens } = lex('"a\\n\\t\\\\\\"b\nc"', 'x.ias');
    expect(tokens[0]!.value).toBe('a\n\t\\"b\nc');
    expect(tokens[0]!.end.line).toBe(2);
  });

  it('reports an unterminated string at its start', () => {
    const { diagnostics } = lex('x "abc\n\n', 'x.ias');
    expect(diagnostics).toMatchObject([{ line: 1, column: 3, message: 'Unterminated string.' }]);
  });
});

describe('parser', () => {
  it('gives every entry and value a range', () => {
    const { file, diagnostics } = parse('package "p" version "1.0.0" lang "2.0"\nagent "a" {\n  memory { strategy "summary" max_messages 3 }\n}\n', 'x.ias');
    expect(diagnostics).toEqual([]);
    const agent = file.entries[1]!;
    expect(agent.range.start).toMatchObject({ line: 2, column: 1 });
    expect(agent.range.end).toMatchObject({ line: 4, column: 2 });
    const memory = agent.body!.entries[0]!;
    expect(memory.body!.entries.map((e) => [e.key, e.range.start.column])).toEqual([
      ['strategy', 12],
      ['max_messages', 31],
    ]);
  });

  it('reads one-line blocks using the arity of each attribute', () => {
    const { file } = parse('agent "a" {\n  delegate to agent "b" when "x" connects to client "c"\n}\n', 'x.ias');
    expect(file.entries[0]!.body!.entries.map((e) => e.key)).toEqual(['delegate', 'connects']);
  });

  it('recovers from several syntax errors in one run', () => {
    const { diagnostics } = parse('agent "a" {\n  model "x" "y"\n  max_turns ]\n}\nprompt "p" {\n  content "c" }\n}\n', 'x.ias');
    expect(diagnostics.map((d) => d.line)).toEqual([2, 3, 7]);
    expect(diagnostics[0]!.message).toBe('Expected an attribute name, found String "y".');
  });

  it('guards the nesting depth instead of overflowing the stack', () => {
    const { diagnostics } = parse(`${'a {'.repeat(100_000)}`, 'deep.ias');
    expect(diagnostics.some((d) => d.hint === 'blocks nest at most 32 deep')).toBe(true);
  });

  it('guards the input size', () => {
    const { diagnostics } = parse(`# ${'x'.repeat(5 * 1024 * 1024)}`, 'big.ias');
    expect(diagnostics[0]!.message).toContain('larger than 5 MiB');
  });
});
