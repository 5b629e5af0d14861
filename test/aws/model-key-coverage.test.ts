/**
 * A hot swap gets no new secret and no new environment: a package whose
 * agents call a provider the stack holds no key secret for, or that needs
 * another provider endpoint than the functions were given, is refused with a
 * gap naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { coverageGaps, deployCoverage, parseCoverage } from '../../functions/lib/hot-swap/coverage.js';
import type { IRDocument } from '../../shared/ir/types.js';
import { compile } from '../../shared/lang/index.js';

function ir(body: string): IRDocument {
  const { ir, diagnostics } = compile(`package "keys" version "1.0.0" lang "2.0"\n${body}`, { file: 'keys.ias' });
  if (!ir) throw new Error(JSON.stringify(diagnostics));
  return ir;
}

const agent = (name: string, model: string) => `agent "${name}" {\n  model "${model}"\n}\n`;
const lambda = (env: string) => `deploy "aws" target "lambda" {\n  env {\n    ${env}\n  }\n}\n`;
const deployOf = (pkg: IRDocument) => pkg.resources.find((r) => r.kind === 'Deploy');

describe('model keys and endpoints in the hot-swap coverage', () => {
  it('names a key the stack has no secret for, with the agents needing it', () => {
    const coverage = deployCoverage({ storeSecrets: [], files: [], modelKeys: ['ANTHROPIC_API_KEY'] });
    expect(coverageGaps(ir(agent('writer', 'claude-haiku-4-5') + agent('checker', 'openai/gpt-4o-mini')), coverage)).toEqual([
      { kind: 'model_key', name: 'OPENAI_API_KEY', message: 'The stack has no secret for OPENAI_API_KEY, which "checker" need.' },
    ]);
  });

  it('counts a fallback chain, and accepts the package once the stack holds the key', () => {
    const pkg = ir(`agent "writer" {\n  model "claude-haiku-4-5"\n  models ["claude-haiku-4-5", "gpt-4o"]\n}\n`);
    const without = deployCoverage({ storeSecrets: [], files: [], modelKeys: ['ANTHROPIC_API_KEY'] });
    const withKey = deployCoverage({ storeSecrets: [], files: [], modelKeys: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'] });
    expect(coverageGaps(pkg, without).map((gap) => gap.name)).toEqual(['OPENAI_API_KEY']);
    expect(coverageGaps(pkg, withKey)).toEqual([]);
  });

  it('takes a coverage document without model_keys as Anthropic’s key only', () => {
    const coverage = parseCoverage(JSON.stringify({ secrets: [], files: [] }))!;
    expect(coverageGaps(ir(agent('writer', 'claude-haiku-4-5')), coverage)).toEqual([]);
    expect(coverageGaps(ir(agent('checker', 'gpt-4o')), coverage).map((gap) => gap.kind)).toEqual(['model_key']);
  });

  it('names a provider endpoint the package’s lambda block sets otherwise than the functions have', () => {
    const synthesized = ir(agent('checker', 'openai/gpt-4o-mini') + lambda('OPENAI_BASE_URL "https://a.example.com/v1"'));
    const coverage = deployCoverage({
      storeSecrets: [],
      files: [],
      deploy: deployOf(synthesized),
      modelKeys: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
      modelEndpoints: { OPENAI_BASE_URL: 'https://a.example.com/v1' },
    });
    expect(coverageGaps(synthesized, coverage)).toEqual([]);
    const moved = ir(agent('checker', 'openai/gpt-4o-mini') + lambda('OPENAI_BASE_URL "https://b.example.com/v1"'));
    expect(coverageGaps(moved, coverage)).toEqual([
      {
        kind: 'lambda_setting',
        name: 'OPENAI_BASE_URL',
        message: 'deploy "aws" sets OPENAI_BASE_URL to https://b.example.com/v1; the functions have https://a.example.com/v1.',
      },
    ]);
  });

  it('names OLLAMA_HOST when an Ollama agent arrives at functions that have none', () => {
    const coverage = deployCoverage({ storeSecrets: [], files: [], modelKeys: ['ANTHROPIC_API_KEY'] });
    expect(coverageGaps(ir(agent('llama', 'ollama/llama3.1')), coverage)).toEqual([
      { kind: 'lambda_setting', name: 'OLLAMA_HOST', message: '"llama" call Ollama, and the functions have no OLLAMA_HOST.' },
    ]);
  });
});
