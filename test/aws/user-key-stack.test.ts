/**
 * User keys on Lambda, in the stack: a user whose key is not a package
 * `store` secret gets a generated Secrets Manager secret that only run and
 * stream may read, whose ARN they receive in AGENTSPEC_USER_KEY_SECRETS
 * (never a value), with an output; a `store` key is read by name like the
 * package's other store secrets; the deploy function knows which user keys
 * the stack holds, and a hot swap adding another is refused. cdk-nag stays clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { coverageGaps, parseCoverage } from '../../functions/lib/hot-swap/coverage.js';
import { compile } from '../../shared/lang/index.js';
import { functionOf, logicalIdOf, policyOf, secretsOf, synthPackageStack, variablesOf, type Resource } from './helpers/synth-package-stack.js';

const PACKAGE = `package "staffed" version "1.0.0" lang "3.0"
secret "alice-key" {
  store("users/alice")
}
agent "assistant" {
  model "claude-haiku-4-5"
}
user "alice" {
  key secret("alice-key")
  agents ["assistant"]
  role "admin"
}
user "bob" {
  key "BOB_API_KEY"
  agents ["assistant"]
  role "invoke"
}
`;

let dir: string;
let template: Template;
let synthError: unknown;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentspec-user-keys-'));
  ({ template, synthError } = synthPackageStack(dir, 'staffed', PACKAGE));
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a package with users on Lambda', () => {
  it('synthesizes with cdk-nag clean', () => {
    expect(synthError).toBeUndefined();
  });

  it('has a generated secret for the key that is not a store secret, whose ARN run and stream receive; never a value', () => {
    expect(secretsOf(template).sort()).toEqual(['AnthropicApiKey', 'ApiKeys', 'UserKeyBobApiKey']);
    const id = logicalIdOf(template, 'UserKeyBobApiKey');
    const secret = template.findResources('AWS::SecretsManager::Secret')[id] as Resource;
    expect(secret.Properties.GenerateSecretString).toBeDefined();
    expect(secret.Properties.SecretString).toBeUndefined();
    for (const fn of ['RunFunction', 'StreamFunction']) {
      const value = JSON.stringify(variablesOf(functionOf(template, fn)).AGENTSPEC_USER_KEY_SECRETS);
      expect(value).toContain('BOB_API_KEY');
      expect(value).toContain(id);
      expect(value).not.toContain('alice');
      expect(policyOf(template, fn)).toContain(id);
      // alice's key is a store secret: read by name, like the package's other store secrets
      expect(policyOf(template, fn)).toContain('users/alice');
    }
    expect(policyOf(template, 'DeployFunction')).not.toContain('secretsmanager');
  });

  it('outputs the secret, and tells the deploy function which user keys the stack holds', () => {
    expect(Object.keys(template.toJSON().Outputs as object)).toContain('UserKeyBobApiKeySecret');
    const coverage = parseCoverage(variablesOf(functionOf(template, 'DeployFunction')).AGENTSPEC_DEPLOY_COVERAGE as string)!;
    expect(coverage.user_keys).toEqual(['BOB_API_KEY']);
    expect(coverageGaps(compile(PACKAGE, { file: 'staffed.ias' }).ir!, coverage)).toEqual([]);
    // a hot swap that adds a user with another key variable needs a cdk deploy
    const more = compile(`${PACKAGE}user "carol" {\n  key "CAROL_API_KEY"\n  agents ["assistant"]\n  role "invoke"\n}\n`, { file: 'more.ias' }).ir!;
    expect(coverageGaps(more, coverage)).toEqual([
      expect.objectContaining({ kind: 'user_key', name: 'CAROL_API_KEY', message: expect.stringContaining('user "carol"') as string }),
    ]);
  });
});
