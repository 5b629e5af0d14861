/**
 * The model keys on Lambda, in the stack: a package with an OpenAI agent gets
 * a second secret (a generated placeholder) whose ARN run and stream receive
 * in AGENTSPEC_OPENAI_SECRET and which only they may read, its endpoint from
 * the deploy block's env, and an output; an Anthropic-only package gets no
 * such secret; an Ollama agent needs OLLAMA_HOST in the deploy block. cdk-nag
 * stays clean. (Bundling is skipped: test/aws/agentspec-stack.test.ts builds
 * the real assets.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { ErrorCode } from '../../shared/errors.js';
import { functionOf, logicalIdOf, policyOf, secretsOf, synthPackageStack, variablesOf, type Resource } from './helpers/synth-package-stack.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentspec-model-keys-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const synth = (name: string, source: string) => synthPackageStack(dir, name, source);

describe('a package with an OpenAI agent on Lambda', () => {
  let template: Template;
  let synthError: unknown;

  beforeAll(() => {
    ({ template, synthError } = synth(
      'mixed',
      `package "mixed" version "1.0.0" lang "2.0"
agent "writer" {
  model "claude-haiku-4-5"
}
agent "checker" {
  model "openai/gpt-4o-mini"
}
deploy "aws" target "lambda" {
  env {
    OPENAI_BASE_URL "https://llm-gateway.example.com/v1"
    UNRELATED "not for the functions"
  }
}
`,
    ));
  }, 120_000);

  it('synthesizes with cdk-nag clean', () => {
    expect(synthError).toBeUndefined();
  });

  it('has a second secret, created with a placeholder, whose ARN run and stream receive; never a value', () => {
    expect(secretsOf(template).sort()).toEqual(['AnthropicApiKey', 'ApiKeys', 'OpenAIApiKey']);
    const openai = template.findResources('AWS::SecretsManager::Secret')[logicalIdOf(template, 'OpenAIApiKey')] as Resource;
    expect(openai.Properties.GenerateSecretString).toBeDefined();
    expect(openai.Properties.SecretString).toBeUndefined();
    for (const fn of ['RunFunction', 'StreamFunction']) {
      const variables = variablesOf(functionOf(template, fn));
      expect(variables.AGENTSPEC_OPENAI_SECRET).toEqual({ Ref: logicalIdOf(template, 'OpenAIApiKey') });
      expect(variables.AGENTSPEC_ANTHROPIC_SECRET).toEqual({ Ref: logicalIdOf(template, 'AnthropicApiKey') });
      expect(variables.OPENAI_API_KEY).toBeUndefined();
    }
  });

  it('lets run and stream read it, and not the deploy function', () => {
    const id = logicalIdOf(template, 'OpenAIApiKey');
    expect(policyOf(template, 'RunFunction')).toContain(id);
    expect(policyOf(template, 'StreamFunction')).toContain(id);
    expect(policyOf(template, 'DeployFunction')).not.toContain('secretsmanager');
  });

  it('gives the functions the provider endpoint of the deploy block, and nothing else of its env', () => {
    const variables = variablesOf(functionOf(template, 'RunFunction'));
    expect(variables.OPENAI_BASE_URL).toBe('https://llm-gateway.example.com/v1');
    expect(variables.UNRELATED).toBeUndefined();
  });

  it('outputs the secret, and tells the deploy function which keys and endpoints the stack has', () => {
    expect(Object.keys(template.toJSON().Outputs as object)).toEqual(expect.arrayContaining(['AnthropicKeySecret', 'OpenAIKeySecret']));
    const coverage = JSON.parse(variablesOf(functionOf(template, 'DeployFunction')).AGENTSPEC_DEPLOY_COVERAGE as string) as Record<string, unknown>;
    expect(coverage.model_keys).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    expect(coverage.model_env).toEqual({ OPENAI_BASE_URL: 'https://llm-gateway.example.com/v1' });
  });
});

describe('an Anthropic-only package on Lambda', () => {
  it('has no OpenAI secret, variable or output', () => {
    const { template, synthError } = synth('claude', `package "claude" version "1.0.0" lang "2.0"\nagent "solo" {\n  model "claude-haiku-4-5"\n}\n`);
    expect(synthError).toBeUndefined();
    expect(secretsOf(template).sort()).toEqual(['AnthropicApiKey', 'ApiKeys']);
    expect(variablesOf(functionOf(template, 'RunFunction')).AGENTSPEC_OPENAI_SECRET).toBeUndefined();
    expect(Object.keys(template.toJSON().Outputs as object)).not.toContain('OpenAIKeySecret');
  }, 120_000);
});

describe('an Ollama agent on Lambda', () => {
  const ollama = (deploy: string) => `package "local" version "1.0.0" lang "2.0"\nagent "llama" {\n  model "ollama/llama3.1"\n}\n${deploy}`;

  it('fails the synth with config_error without OLLAMA_HOST in the deploy block, naming the agent', () => {
    expect(() => synth('no-host', ollama(''))).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigError, message: expect.stringMatching(/"llama".*OLLAMA_HOST/) }),
    );
  }, 120_000);

  it('reaches the host the deploy block names, with no key secret beyond Anthropic’s', () => {
    const { template, synthError } = synth('host', ollama('deploy "aws" target "lambda" {\n  env {\n    OLLAMA_HOST "http://ollama.internal:11434"\n  }\n}\n'));
    expect(synthError).toBeUndefined();
    expect(variablesOf(functionOf(template, 'StreamFunction')).OLLAMA_HOST).toBe('http://ollama.internal:11434');
    expect(secretsOf(template).sort()).toEqual(['AnthropicApiKey', 'ApiKeys']);
  }, 120_000);
});
