/**
 * The sandbox functions in the synthesised stack of a package with inline
 * JavaScript and Python tools: each has a role that may only write its own
 * logs, no environment variables, layers or extension, a timeout and memory
 * that fit its largest tool, the block's reserved concurrency; only run and
 * stream may invoke them, and they learn their names from their environment.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { buildAgentSpecApp, createCdkApp } from '../../infra/build-app.js';

const projectRoot = resolve(import.meta.dirname, '../..');

const tool = (name: string, language: string, code: string, timeout: string, memory: string) => `skill "${name}" {
  description "${name}"
  input {
    n number required
  }
  tool inline {
    language "${language}"
    code "${code}"
    timeout "${timeout}"
    memory "${memory}"
  }
}
`;

const PACKAGE = `package "sandboxed" version "1.0.0" lang "2.0"
${tool('js-small', 'javascript', 'console.log(1)', '10s', '256Mi')}
${tool('js-large', 'javascript', 'console.log(2)', '20s', '512Mi')}
${tool('py', 'python', 'print(3)', '5s', '128Mi')}
agent "solo" {
  uses skill "js-small"
  uses skill "js-large"
  uses skill "py"
  model "claude-haiku-4-5"
}
deploy "aws" target "lambda" {
  reserved_concurrency 10
}
`;

type Resource = { Type: string; Properties: Record<string, unknown> };
let dir: string;
let resources: Record<string, Resource>;
let synthError: unknown;

const byPrefix = (type: string, prefix: string): [string, Resource] => {
  const found = Object.entries(resources).find(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} ${prefix}`);
  return found;
};
const policyOf = (rolePrefix: string) =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(rolePrefix))
    .map((r) => r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown; Sid?: string }[] });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentspec-cdk-sandbox-'));
  const file = join(dir, 'agents.ias');
  writeFileSync(file, PACKAGE);
  const app = createCdkApp({ outdir: join(dir, 'out') });
  const built = buildAgentSpecApp(app, { projectRoot, irOutDir: join(dir, 'out', 'agentspec'), packagePath: file });
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  resources = Template.fromStack(built.stack).toJSON().Resources as Record<string, Resource>;
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the sandbox functions of a package with inline tools', () => {
  it('passes cdk-nag with them', () => {
    expect(synthError).toBeUndefined();
    const reportFile = join(dir, 'out', 'validation-report.json');
    if (existsSync(reportFile)) {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: { violations: { severity: string }[] }[] };
      expect(report.pluginReports.flatMap((p) => p.violations).filter((v) => v.severity === 'error')).toEqual([]);
    }
  });

  it('runs JavaScript on nodejs22.x and Python on python3.13, sized by the largest tool of each language, capped like run and stream', () => {
    const [, js] = byPrefix('AWS::Lambda::Function', 'SandboxJavascriptFunction');
    const [, py] = byPrefix('AWS::Lambda::Function', 'SandboxPythonFunction');
    // 20 s + 5 s margin, 512 MiB + 128 MiB headroom; 5 s + 5 s, 128 + 128
    expect(js.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 25, MemorySize: 640, ReservedConcurrentExecutions: 10 });
    expect(py.Properties).toMatchObject({ Runtime: 'python3.13', Handler: 'handler.handler', Timeout: 10, MemorySize: 256, ReservedConcurrentExecutions: 10 });
  });

  it('gives them no environment variables, layers or extension', () => {
    for (const prefix of ['SandboxJavascriptFunction', 'SandboxPythonFunction']) {
      const [, fn] = byPrefix('AWS::Lambda::Function', prefix);
      expect(fn.Properties.Environment).toBeUndefined();
      expect(fn.Properties.Layers).toBeUndefined();
    }
  });

  it('gives each its own role that may only write to its own log group, and no managed policy', () => {
    for (const language of ['Javascript', 'Python']) {
      const [roleId, role] = byPrefix('AWS::IAM::Role', `Sandbox${language}Role`);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      const [logsId] = byPrefix('AWS::Logs::LogGroup', `Sandbox${language}Logs`);
      const statements = policyOf(roleId).flatMap((d) => d.Statement);
      expect(statements).toEqual([
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } }),
      ]);
      const [, fn] = byPrefix('AWS::Lambda::Function', `Sandbox${language}Function`);
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
  });

  it('lets only run and stream invoke them, and names them in their environment', () => {
    const js = byPrefix('AWS::Lambda::Function', 'SandboxJavascriptFunction')[0];
    const py = byPrefix('AWS::Lambda::Function', 'SandboxPythonFunction')[0];
    const invokers = Object.values(resources)
      // the deploy role may invoke too, but only run's and stream's versions (its smoke test)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.PolicyDocument).includes(js))
      .map((r) => JSON.stringify(r.Properties.Roles));
    expect(invokers).toHaveLength(2);
    expect(invokers.join()).toMatch(/RunFunctionServiceRole/);
    expect(invokers.join()).toMatch(/StreamFunctionServiceRole/);
    for (const prefix of ['RunFunction', 'StreamFunction']) {
      const statement = policyOf(`${prefix}ServiceRole`)
        .flatMap((d) => d.Statement)
        .find((s) => s.Sid === 'InvokeSandboxFunctions');
      expect(statement).toMatchObject({ Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [js, 'Arn'] }, { 'Fn::GetAtt': [py, 'Arn'] }] });
      const [, fn] = byPrefix('AWS::Lambda::Function', prefix);
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        AGENTSPEC_SANDBOX_JAVASCRIPT_FUNCTION: { Ref: js },
        AGENTSPEC_SANDBOX_PYTHON_FUNCTION: { Ref: py },
      });
    }
    const [, deploy] = byPrefix('AWS::Lambda::Function', 'DeployFunction');
    expect(JSON.stringify(deploy.Properties.Environment)).not.toContain('SANDBOX');
  });
});
