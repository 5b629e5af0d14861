/**
 * The IR's TypeScript types are derived from its JSON Schema: the type
 * checker (`tsc`, run by `npm test`) holds these equalities, so a drift is a
 * red build; and every package the project ships lowers to an IR the schema
 * accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DeployTarget, HttpMethod, InlineLanguage, OnError, Strategy, Transport } from '../../shared/ir/enums.js';
import { validateIR } from '../../shared/ir/index.js';
import type { IRAgent, IRDeploy, IRDocument, IRServer, IRSkill, IRTool, IRVariable } from '../../shared/ir/types.js';
import { compile } from '../../shared/lang/index.js';

describe('IR types derived from the schema', () => {
  it('carry the closed value sets and required fields', () => {
    expectTypeOf<IRAgent['attributes']['strategy']>().toEqualTypeOf<Strategy>();
    expectTypeOf<IRAgent['attributes']['on_error']>().toEqualTypeOf<OnError>();
    expectTypeOf<IRAgent['attributes']['max_turns']>().toEqualTypeOf<number>();
    expectTypeOf<IRAgent['attributes']['temperature']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<IRDeploy['attributes']['target']>().toEqualTypeOf<DeployTarget>();
    expectTypeOf<IRServer['attributes']['transport']>().toEqualTypeOf<Transport>();
    expectTypeOf<Extract<IRTool, { type: 'http' }>['method']>().toEqualTypeOf<HttpMethod>();
    expectTypeOf<Extract<IRTool, { type: 'inline' }>['language']>().toEqualTypeOf<InlineLanguage>();
    expectTypeOf<IRTool['type']>().toEqualTypeOf<'mcp' | 'http' | 'command' | 'inline'>();
    expectTypeOf<IRSkill['attributes']['input_schema']>().toMatchTypeOf<Record<string, unknown>>();
    expectTypeOf<IRVariable['default']>().toEqualTypeOf<string | number | boolean | undefined>();
    expectTypeOf<IRDocument['ir_version']>().toEqualTypeOf<'1' | '2'>();
    expectTypeOf<IRDocument['resources'][number]['kind']>().toEqualTypeOf<
      | 'Prompt'
      | 'Type'
      | 'Skill'
      | 'Server'
      | 'Client'
      | 'Agent'
      | 'Pipeline'
      | 'Deploy'
      | 'Secret'
      | 'Environment'
      | 'Policy'
      | 'Plugin'
      | 'Import'
      | 'Guardrail'
      | 'User'
    >();
  });
});

/** Every .ias file the project ships: examples, templates, the valid corpus. */
function shippedPackages(): string[] {
  const roots = ['examples', join('local', 'templates'), join('test', 'fixtures', 'corpus', 'valid')];
  return roots.flatMap((root) => (readdirSync(root, { recursive: true }) as string[]).filter((name) => name.endsWith('.ias')).map((name) => join(root, name)));
}

describe('every shipped package lowers to an IR the schema accepts', () => {
  it.each(shippedPackages().map((file) => [relative('.', file)]))('%s', (file) => {
    const { ir, diagnostics } = compile(readFileSync(file, 'utf8'), { file });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(validateIR(ir).errors).toEqual([]);
  });
});
