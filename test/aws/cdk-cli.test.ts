/**
 * The AWS page's `npx cdk synth` runs as written, through the CDK CLI binary
 * the package depends on (not the library's in-process synth), with every
 * network route closed: it reads the cloud assembly `aws-cdk-lib` writes, it
 * applies cdk.json's feature flags, and the template holds the functions.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, commandsOf } from '../docs/markdown.js';

const ROOT = process.cwd();
const OUT = join(ROOT, 'cdk.out');
/** Any HTTP(S) request goes to a closed port: synth must not need the network. */
const OFFLINE = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '',
};

const documented = blocksOf('docs/aws.md')
  .flatMap(commandsOf)
  .filter((c) => /^npx cdk synth\b/.test(c.text));

let output = '';

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  for (const command of documented) {
    output += await new Promise<string>((resolve, reject) => {
      execFile(
        'sh',
        ['-c', command.text],
        { cwd: ROOT, env: { ...process.env, ...OFFLINE, CI: 'true' }, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${command.at}: ${command.text} failed:\n${stderr}`));
          else resolve(stdout + stderr);
        },
      );
    });
  }
}, 900_000);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const manifest = (): { version: string; artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> } =>
  JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as never;

/** The stack's template, as the CLI wrote it. */
function templateText(): string {
  const stack = Object.values(manifest().artifacts).find((a) => a.type === 'aws:cloudformation:stack')!;
  return readFileSync(join(OUT, stack.properties!.templateFile!), 'utf8');
}

describe('npx cdk synth, as docs/aws.md shows it', () => {
  it('is documented once, for the support example', () => {
    expect(documented.map((c) => c.text)).toEqual(['npx cdk synth -c package=examples/support/agents.ias']);
  });

  it('runs through the CLI binary, which reads the library’s cloud assembly', () => {
    const cli = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'aws-cdk', 'package.json'), 'utf8')) as { version: string };
    expect(cli.version).toMatch(/^2\.\d{4,}\./);
    expect(Number(manifest().version.split('.')[0])).toBeGreaterThanOrEqual(55);
    expect(output).toContain('Description: AgentSpec package support@'); // the CLI prints the template as YAML
  });

  it('writes the stack with its run, stream and deploy functions on Node 22, and the Python sandbox function of its inline tool', () => {
    const template = JSON.parse(templateText()) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.Runtime]);
    expect(Object.fromEntries(functions)).toEqual({
      RunFunction: 'nodejs22.x',
      StreamFunction: 'nodejs22.x',
      DeployFunction: 'nodejs22.x',
      SandboxPythonFunction: 'python3.13',
    });
  });

  it('applies the feature flags of cdk.json', () => {
    const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
    expect(context['@aws-cdk/aws-lambda:recognizeLayerVersion']).toBe(true);
    // minimizePolicies: the run role's statements are merged into one per set of actions
    const policies = (
      JSON.parse(templateText()) as { Resources: Record<string, { Type: string; Properties: { PolicyDocument?: { Statement: { Resource: unknown }[] } } }> }
    ).Resources;
    const runPolicy = Object.entries(policies).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('RunFunctionServiceRoleDefaultPolicy'))!;
    const secretStatements = runPolicy[1].Properties.PolicyDocument!.Statement.filter((s) => JSON.stringify(s).includes('secretsmanager:GetSecretValue'));
    expect(secretStatements).toHaveLength(1);
  });
});
