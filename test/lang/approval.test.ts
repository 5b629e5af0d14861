/** A skill's `approval` and `approval_timeout`: read, checked with located errors, printed canonically, lowered to the IR. */
import { describe, expect, it } from 'vitest';
import { findResource, validateIR } from '../../shared/ir/index.js';
import { compile, format } from '../../shared/lang/index.js';
import { expectDiagnostic } from './expect-diagnostic.js';

function source(extra: string, lang = '3.0'): string {
  return `package "t" version "0.1.0" lang "${lang}"
skill "refund" {
  description "Refund an order"
  input {
    amount number required
  }
  tool command {
    binary "echo"
  }
${extra}}
agent "a" {
  uses skill "refund"
  model "claude-sonnet-4-20250514"
}
`;
}

function skillIR(src: string) {
  const { ir, diagnostics } = compile(src, { file: 't.ias' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(validateIR(ir).errors).toEqual([]);
  return findResource(ir!, 'Skill', 'refund')!.attributes;
}

describe('a skill that needs approval', () => {
  it('lowers approval "required" and approval_timeout (in seconds) to the IR', () => {
    const attrs = skillIR(source('  approval "required"\n  approval_timeout "30m"\n'));

    expect(attrs.approval).toBe('required');
    expect(attrs.approval_timeout_seconds).toBe(1800);
  });

  it('lowers approval "never", and no approval, to no attribute at all', () => {
    expect(skillIR(source('  approval "never"\n'))).not.toHaveProperty('approval');
    expect(skillIR(source(''))).not.toHaveProperty('approval');
    expect(skillIR(source(''))).not.toHaveProperty('approval_timeout_seconds');
  });

  it('suggests the value meant for a misspelt approval, on its line', () => {
    const d = expectDiagnostic(source('  approval "requird"\n'), { line: 10, message: 'not one of required, never' });
    expect(d.hint).toContain('required');
  });

  it('refuses an approval_timeout outside 1m..168h or that is no duration', () => {
    expectDiagnostic(source('  approval "required"\n  approval_timeout "30s"\n'), { line: 11, message: 'outside 1m..168h' });
    expectDiagnostic(source('  approval "required"\n  approval_timeout "200h"\n'), { line: 11, message: 'outside 1m..168h' });
    expectDiagnostic(source('  approval "required"\n  approval_timeout "soon"\n'), { line: 11, message: 'must be a duration' });
  });

  it('reads it in a 2.0 file with a warning, like the other 3.0 additions, and lowers it to a 3.0 IR', () => {
    const src = source('  approval "required"\n', '2.0');
    expectDiagnostic(src, { line: 10, message: 'IntentLang 3.0', severity: 'warning' });
    const { ir } = compile(src, { file: 't.ias' });
    expect(ir?.ir_version).not.toBe('1');
    expect(findResource(ir!, 'Skill', 'refund')!.attributes.approval).toBe('required');
  });

  it('is set per environment by an overlay', () => {
    const src = `${source('')}environment "prod" {\n  skill "refund" {\n    approval "required"\n    approval_timeout "4h"\n  }\n}\n`;

    const { ir, diagnostics } = compile(src, { file: 't.ias', env: 'prod' });

    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(findResource(ir!, 'Skill', 'refund')!.attributes).toMatchObject({ approval: 'required', approval_timeout_seconds: 14_400 });
    expect(skillIR(src)).not.toHaveProperty('approval');
  });

  it('prints the attributes after the tool, and formatting twice changes nothing', () => {
    const messy = source('').replace(
      '  description "Refund an order"\n',
      '  approval_timeout  "2h"\n  approval   "required"\n  description "Refund an order"\n',
    );

    const once = format(messy, 't.ias');

    expect(once).toContain('    binary "echo"\n  }\n  approval "required"\n  approval_timeout "2h"\n}\n');
    expect(once).toBe(format(source('  approval "required"\n  approval_timeout "2h"\n'), 't.ias'));
    expect(format(once, 't.ias')).toBe(once);
  });
});
