import { describe, expect, it } from 'vitest';
import { lambdaSettings, pickLambdaDeploy } from '../../infra/package-source.js';
import { compile } from '../../shared/lang/index.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { LambdaDeployer } from '../../local/deploy/lambda/lambda-deployer.js';
import type { DeployContext } from '../../local/deploy/types.js';

const pkg = (deploys: string) =>
  compile(
    `package "p" version "1.0.0" lang "2.0"
prompt "s" { content "x" }
agent "a" {
  uses prompt "s"
  model "claude-sonnet-4-20250514"
}
${deploys}`,
    { file: 'p.ias' },
  );

describe('the lambda deploy block', () => {
  it('gives memory, timeout, architecture and region to the stack', () => {
    const { ir, diagnostics } = pkg('deploy "aws" target "lambda" {\n  region "eu-west-1"\n  memory "2048Mi"\n  timeout "120s"\n  architecture "x86_64"\n}');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const deploy = pickLambdaDeploy(ir!);
    expect(lambdaSettings(deploy)).toEqual({ memoryMb: 2048, timeoutSeconds: 120, architecture: 'x86_64', auth: 'api-key' });
    expect(deploy?.attributes.region).toBe('eu-west-1');
  });

  it('takes auth "iam", a reserved concurrency and an alarm topic', () => {
    const { ir, diagnostics } = pkg(
      'deploy "aws" target "lambda" {\n  auth "iam"\n  reserved_concurrency 25\n  alarm_topic "arn:aws:sns:eu-west-1:123456789012:ops"\n}',
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(lambdaSettings(pickLambdaDeploy(ir!))).toMatchObject({ auth: 'iam', reservedConcurrency: 25, alarmTopic: 'arn:aws:sns:eu-west-1:123456789012:ops' });
    const wrong = pkg('deploy "aws" target "lambda" {\n  auth "none"\n}');
    expect(wrong.diagnostics.map((d) => d.message).join('\n')).toContain('"none"');
  });

  it('defaults to 1024 MiB, 300 s and arm64 without a block', () => {
    expect(lambdaSettings(undefined)).toEqual({ memoryMb: 1024, timeoutSeconds: 300, architecture: 'arm64', auth: 'api-key' });
  });

  it('picks a named block and says which exist when the name is wrong', () => {
    const { ir } = pkg('deploy "one" target "lambda" {\n  memory "512Mi"\n}\ndeploy "two" target "lambda" {\n  memory "256Mi"\n}');
    expect(pickLambdaDeploy(ir!, 'two')?.attributes.memory_bytes).toBe(256 * 1024 * 1024);
    expect(() => pickLambdaDeploy(ir!, 'three')).toThrow(/lambda blocks: one, two/);
  });

  it('refuses settings Lambda does not accept', () => {
    const deploy = (attributes: Partial<IRDeploy['attributes']>) =>
      ({ attributes: { target: 'lambda', default: false, env: {}, secrets: {}, ...attributes } }) as IRDeploy;
    expect(() => lambdaSettings(deploy({ timeout_ms: 1_000_000 }))).toThrow(/900 s/);
    expect(() => lambdaSettings(deploy({ memory_bytes: 64 * 1024 * 1024 }))).toThrow(/128 MiB/);
    expect(() => lambdaSettings(deploy({ architecture: 'sparc' }))).toThrow(/arm64 or x86_64/);
  });
});

describe('LambdaDeployer.plan', () => {
  it('creates, updates or leaves the stack by the IR hash in the state', async () => {
    const { ir } = pkg('deploy "aws" target "lambda" {\n  memory "512Mi"\n}');
    const ctx = (hash?: string) =>
      ({
        ir: ir!,
        deploy: pickLambdaDeploy(ir!)!,
        ...(hash ? { state: { target: 'aws', kind: 'lambda', ir_hash: hash, ids: {}, fingerprints: {}, applied_at: '' } } : {}),
      }) as unknown as DeployContext;
    const deployer = new LambdaDeployer();
    expect((await deployer.plan(ctx()))[0]).toMatchObject({ resource: 'stack/AgentSpec-p', action: 'create' });
    expect((await deployer.plan(ctx(ir!.hash)))[0]).toMatchObject({ action: 'unchanged' });
    expect((await deployer.plan(ctx('other')))[0]).toMatchObject({ action: 'update' });
  });
});
