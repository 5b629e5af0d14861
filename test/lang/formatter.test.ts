/** The canonical format: ordering, comments, idempotence, IR preservation. */
import { describe, expect, it } from 'vitest';
import { compile, format } from '../../shared/lang/index.js';
import { isAgentSpecError } from '../../shared/errors.js';

const messy = `# leading comment
prompt "p" { content "Hi" }
package "f" version "1.0.0" lang "2.0"
agent "a" {
      max_turns 4   # four is enough
  model "claude-haiku-4-5"
  // prompt first in canonical order
  uses prompt "p"
  memory { max_messages 5 strategy "summary" }
  # closing comment
}
secret "k" {   env(KEY)   }
pipeline "pl" { step "s" { parallel true agent "a" } }
`;

describe('format', () => {
  it('prints the header first, two-space indents, reference order and one blank line between statements', () => {
    expect(format(messy, 'm.ias')).toBe(`package "f" version "1.0.0" lang "2.0"

# leading comment
prompt "p" {
  content "Hi"
}

agent "a" {
  // prompt first in canonical order
  uses prompt "p"
  model "claude-haiku-4-5"
  max_turns 4 # four is enough
  memory {
    strategy "summary"
    max_messages 5
  }
  # closing comment
}

secret "k" { env(KEY) }

pipeline "pl" {
  step "s" {
    agent "a"
    parallel true
  }
}
`);
  });

  it('is idempotent and preserves the IR', () => {
    const once = format(messy, 'm.ias');
    expect(format(once, 'm.ias')).toBe(once);
    const headerFirst = `package "f" version "1.0.0" lang "2.0"\n${messy.replace('package "f" version "1.0.0" lang "2.0"\n', '')}`;
    const original = compile(headerFirst, { file: 'm.ias' }).ir;
    expect(original).toBeDefined();
    expect(compile(once, { file: 'm.ias' }).ir).toEqual(original);
  });

  it('keeps multi-line strings and escapes as written, and drops trailing list commas', () => {
    const src =
      'package "f" version "1.0.0" lang "2.0"\n\nprompt "p" {\n  content "line one\nline \\"two\\"\\tend\\n"\n}\n\nskill "s" {\n  description "d"\n  tool command {\n    binary "cat"\n    args ["-", "-n",]\n  }\n}\n';
    const out = format(src, 'f.ias');
    expect(out).toContain('content "line one\nline \\"two\\"\\tend\\n"');
    expect(out).toContain('args ["-", "-n"]');
  });

  it('breaks long lists over lines', () => {
    const items = Array.from({ length: 12 }, (_, i) => `"argument-number-${i}"`).join(', ');
    const out = format(`package "f" version "1.0.0" lang "2.0"\n\nserver "s" {\n  transport "stdio"\n  command "x"\n  args [${items}]\n}\n`, 'f.ias');
    expect(out).toContain('  args [\n    "argument-number-0",\n');
    expect(format(out, 'f.ias')).toBe(out);
  });

  it('throws syntax_error with the diagnostics when the source does not parse', () => {
    try {
      format('package "f" version "1.0.0" lang "2.0"\nprompt "p" {\n', 'bad.ias');
      expect.unreachable();
    } catch (error) {
      expect(isAgentSpecError(error, 'syntax_error')).toBe(true);
      expect((error as { details: { diagnostics: unknown[] } }).details.diagnostics).toHaveLength(1);
      expect((error as Error).message).toContain('Expected "}", found <EOF>.');
    }
  });
});
