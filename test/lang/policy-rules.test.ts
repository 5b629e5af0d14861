/** Policy rules with a quoted or a bare value (`deny model claude-haiku-latest`, as the original toolchain writes them): same IR, same checks, canonical format kept. */
import { describe, expect, it } from 'vitest';
import { compile, format } from '../../shared/lang/index.js';
import { findResource } from '../../shared/ir/types.js';
import { expectDiagnostic, pkg } from './expect-diagnostic.js';

const policy = (rules: string) => `secret "api-key" { env(API_KEY) }\npolicy "p" {\n${rules}\n}`; // rules from line 4

describe('policy rules', () => {
  it('lowers a bare value like a quoted one', () => {
    const bare = compile(pkg(policy('  deny model claude-haiku-latest\n  require secret api-key\n  allow model claude-sonnet-4-20250514')), { file: 't.ias' });
    const quoted = compile(pkg(policy('  deny model "claude-haiku-latest"\n  require secret "api-key"\n  allow model "claude-sonnet-4-20250514"')), {
      file: 't.ias',
    });
    expect(bare.diagnostics).toEqual([]);
    expect(findResource(bare.ir!, 'Policy', 'p')?.attributes.rules).toEqual([
      { action: 'deny', subject: 'model', value: 'claude-haiku-latest' },
      { action: 'require', subject: 'secret', value: 'api-key' },
      { action: 'allow', subject: 'model', value: 'claude-sonnet-4-20250514' },
    ]);
    expect(findResource(bare.ir!, 'Policy', 'p')?.attributes).toEqual(findResource(quoted.ir!, 'Policy', 'p')?.attributes);
  });

  it('resolves a bare required secret and suggests the declared one', () => {
    expectDiagnostic(pkg(policy('  require secret api-kye')), { line: 4, message: 'did you mean "api-key"' });
  });

  it('refuses a rule without a value, showing both forms', () => {
    const d = expectDiagnostic(pkg(policy('  deny model')), { line: 4, message: 'write `deny <subject> "<value>"` or `deny <subject> <value>`' });
    expect(d.column).toBe(3);
  });

  it('formats a bare value as written, idempotently', () => {
    const source = pkg(policy('  deny   model   claude-haiku-latest'));
    const once = format(source, 't.ias');
    expect(once).toContain('  deny model claude-haiku-latest\n');
    expect(format(once, 't.ias')).toBe(once);
  });
});
