/**
 * `agentspec migrate`: rewrites a source to a newer IntentLang version in
 * place (text edits located by the lexer, so comments and layout survive).
 * - `--to-v2` (1.0 → 2.0): `lang "1.0"` → `lang "2.0"`, `execution command
 *   "x y"` → `tool command { binary "x" args ["y"] }`, `binding "n" adapter
 *   "a"` → `deploy "n" target "<mapped a>"`.
 * - `--to-v3` (2.0 → 3.0): `lang "2.0"` → `lang "3.0"`. 3.0 removes and
 *   renames nothing, so the header is the only edit; the 3.0 constructs a 2.0
 *   file already used (read with a warning) become regular.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { renderDiagnostic, type Diagnostic } from './diagnostic.js';
import { quote } from './formatter.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';
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
  const tokens = lexForMigration(source, file);
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
  return applyEdits(source, edits);
}

/** What `migrateToV3` did: the new text and one line per change (empty when the file was 3.0 already). */
export interface MigrationToV3 {
  text: string;
  changes: string[];
}

/**
 * The 3.0 text of a 2.0 source. `warnings` are the diagnostics of the 2.0
 * source (`check`): those saying a 3.0 construct is used under lang "2.0"
 * are listed as changes, since declaring 3.0 makes them regular. Throws
 * `syntax_error` for lexical errors and `input_error` for a 1.0 source (run
 * `--to-v2` first) or a header without a `lang` this migration reads.
 */
export function migrateToV3(source: string, file: string, warnings: readonly Diagnostic[] = []): MigrationToV3 {
  const lang = langOf(source, file);
  if (!lang) throw new AgentSpecError(ErrorCode.InputError, `${file} has no lang "…" in its package header; nothing to migrate.`);
  if (lang.value === '3.0') return { text: source, changes: [] };
  const where = `${file}:${lang.line}:${lang.column}`;
  if (lang.value === '1.0') {
    throw new AgentSpecError(
      ErrorCode.InputError,
      `${where}: this is an IntentLang 1.0 file; run \`agentspec migrate --to-v2 ${file} --write\` first, then --to-v3.`,
    );
  }
  if (lang.value !== '2.0') throw new AgentSpecError(ErrorCode.InputError, `${where}: lang "${lang.value}" cannot be migrated to 3.0 (only 2.0 can).`);
  const changes = [`${file}:${lang.line}: lang "2.0" → lang "3.0"`];
  for (const d of warnings) if (d.code === 'lang') changes.push(`${file}:${d.line}: ${d.message.replace(/;.*$/, '')}, now declared`);
  return { text: applyEdits(source, [{ start: lang.start, end: lang.end, text: '"3.0"' }]), changes };
}

/** The string after `lang` in the package header, read by the parser (a 3.0 construct's expressions do not lex on their own). */
function langOf(source: string, file: string): { value: string; line: number; column: number; start: number; end: number } | undefined {
  const parsed = parse(source, file);
  try {
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      throw new AgentSpecError(ErrorCode.SyntaxError, `${file} cannot be migrated:\n${errors.map((d) => renderDiagnostic(d, source)).join('\n')}`, {
        details: { diagnostics: errors },
      });
    }
    const args = parsed.file.entries.find((e) => e.key === 'package')?.args ?? [];
    const i = args.findIndex((v) => v.type === 'ident' && v.value === 'lang');
    const value = args[i + 1];
    if (i < 0 || value?.type !== 'string') return undefined;
    const { start, end } = value.range;
    return { value: value.value, line: start.line, column: start.column, start: start.offset, end: end.offset };
  } finally {
    parsed.release();
  }
}

function lexForMigration(source: string, file: string): Token[] {
  const { tokens, diagnostics } = lex(source, file);
  if (diagnostics.length > 0) {
    throw new AgentSpecError(ErrorCode.SyntaxError, `${file} cannot be migrated:\n${diagnostics.map((d) => renderDiagnostic(d, source)).join('\n')}`, {
      details: { diagnostics },
    });
  }
  return tokens;
}

function applyEdits(source: string, edits: readonly Edit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
