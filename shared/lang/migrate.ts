/**
 * `agentspec migrate --to-v2`: rewrites an IntentLang 1.0 source to 2.0 in
 * place (text edits located by the lexer, so comments and layout survive):
 * `lang "1.0"` → `lang "2.0"`, `execution command "x y"` → `tool command
 * { binary "x" args ["y"] }`, `binding "n" adapter "a"` → `deploy "n" target
 * "<mapped a>"`.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { renderDiagnostic } from './diagnostic.js';
import { quote } from './formatter.js';
import { lex } from './lexer.js';
import { TokenKind, type Token } from './tokens.js';

/** 1.0 binding adapters and the 2.0 deploy target each becomes. */
export const ADAPTER_TARGETS: Readonly<Record<string, string>> = {
  'local-mcp': 'process',
  local: 'process',
  process: 'process',
  'docker-compose': 'docker-compose',
  compose: 'docker-compose',
  docker: 'docker',
  kubernetes: 'kubernetes',
  k8s: 'kubernetes',
  lambda: 'lambda',
  'aws-lambda': 'lambda',
};

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Splits a 1.0 command line into words, honouring single and double quotes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** The 2.0 text of a 1.0 source; throws `input_error` for lexical errors or an adapter with no 2.0 target. */
export function migrateToV2(source: string, file: string): string {
  const { tokens, diagnostics } = lex(source, file);
  if (diagnostics.length > 0) {
    throw new AgentSpecError(ErrorCode.SyntaxError, `${file} cannot be migrated:\n${diagnostics.map((d) => renderDiagnostic(d, source)).join('\n')}`, {
      details: { diagnostics },
    });
  }
  const edits: Edit[] = [];
  const is = (t: Token | undefined, kind: TokenKind, value?: string) => t !== undefined && t.kind === kind && (value === undefined || t.value === value);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== TokenKind.Identifier) continue;
    const next = tokens[i + 1];
    if (t.value === 'lang' && is(next, TokenKind.String, '1.0')) {
      edits.push({ start: next!.start.offset, end: next!.end.offset, text: '"2.0"' });
    } else if (t.value === 'execution' && is(next, TokenKind.Identifier, 'command') && is(tokens[i + 2], TokenKind.String)) {
      const [binary = '', ...args] = splitCommand(tokens[i + 2]!.value);
      const argText = args.length > 0 ? ` args [${args.map(quote).join(', ')}]` : '';
      edits.push({ start: t.start.offset, end: tokens[i + 2]!.end.offset, text: `tool command { binary ${quote(binary)}${argText} }` });
    } else if (
      t.value === 'binding' &&
      is(next, TokenKind.String) &&
      is(tokens[i + 2], TokenKind.Identifier, 'adapter') &&
      is(tokens[i + 3], TokenKind.String)
    ) {
      const adapter = tokens[i + 3]!;
      const target = ADAPTER_TARGETS[adapter.value];
      if (!target) {
        throw new AgentSpecError(
          ErrorCode.InputError,
          `${file}:${adapter.start.line}:${adapter.start.column}: binding adapter "${adapter.value}" has no IntentLang 2.0 deploy target (known adapters: ${Object.keys(ADAPTER_TARGETS).join(', ')}).`,
        );
      }
      edits.push({ start: t.start.offset, end: t.end.offset, text: 'deploy' });
      edits.push({ start: tokens[i + 2]!.start.offset, end: adapter.end.offset, text: `target ${quote(target)}` });
    }
  }
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
