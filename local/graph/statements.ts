/**
 * An agent's `on_input` statements (IntentLang 3.0) as the graph reads them:
 * the skills and agents they name, and the block as indented text lines.
 */

export type Statement =
  | { kind: 'use_skill'; skill: string; params?: Record<string, string> }
  | { kind: 'delegate'; agent: string }
  | { kind: 'respond'; text: string }
  | { kind: 'respond'; expression: string }
  | { kind: 'if'; branches: { condition: string; body: Statement[] }[]; else?: Statement[] }
  | { kind: 'for_each'; variable: string; collection: string; body: Statement[] };

/** The `use_skill` and `delegate` statements at any depth, in source order. */
export function referencesOf(statements: readonly Statement[]): Extract<Statement, { kind: 'use_skill' | 'delegate' }>[] {
  const out: Extract<Statement, { kind: 'use_skill' | 'delegate' }>[] = [];
  const walk = (list: readonly Statement[]): void => {
    for (const s of list) {
      if (s.kind === 'use_skill' || s.kind === 'delegate') out.push(s);
      else if (s.kind === 'if') {
        for (const b of s.branches) walk(b.body);
        if (s.else) walk(s.else);
      } else if (s.kind === 'for_each') walk(s.body);
    }
  };
  walk(statements);
  return out;
}

/** The statements as text, one line each, nested bodies indented by two spaces. */
export function statementLines(statements: readonly Statement[], indent = ''): string[] {
  const lines: string[] = [];
  const block = (body: readonly Statement[]) => lines.push(...statementLines(body, `${indent}  `));
  for (const s of statements) {
    switch (s.kind) {
      case 'use_skill': {
        const params = Object.entries(s.params ?? {}).map(([k, v]) => `${k}: ${v}`);
        lines.push(`${indent}use skill ${s.skill}${params.length ? ` with { ${params.join(', ')} }` : ''}`);
        break;
      }
      case 'delegate':
        lines.push(`${indent}delegate to ${s.agent}`);
        break;
      case 'respond':
        lines.push(`${indent}respond ${'text' in s ? JSON.stringify(s.text) : s.expression}`);
        break;
      case 'if':
        s.branches.forEach((b, i) => {
          lines.push(`${indent}${i === 0 ? 'if' : 'else if'} ${b.condition}`);
          block(b.body);
        });
        if (s.else) {
          lines.push(`${indent}else`);
          block(s.else);
        }
        break;
      case 'for_each':
        lines.push(`${indent}for each ${s.variable} in ${s.collection}`);
        block(s.body);
        break;
    }
  }
  return lines;
}
