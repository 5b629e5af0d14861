/**
 * What a later `cdk deploy` does to a hot-swapped alias, read off the
 * synthesized templates. CloudFormation updates a resource only when its
 * template properties change: the same package synthesized twice gives the
 * same functions, Version and Alias resources, so that deploy changes
 * nothing and the hot-swapped version stays live; a changed package changes
 * the function's configuration (without the hot swap's AGENTSPEC_IR_DIGEST)
 * and the Version's logical id, so the alias moves to the version
 * CloudFormation publishes, which serves the synthesized package.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentSpecApp, createCdkApp } from '../../infra/build-app.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const scratch: string[] = [];

type Resource = { Type: string; Properties: Record<string, unknown> };
type Resources = Record<string, Resource>;

/** Synthesizes the package at `packagePath` into a fresh cloud assembly, under one stack name; returns its resources. */
function synth(packagePath: string): Resources {
  const outdir = mkdtempSync(join(tmpdir(), 'agentspec-cdk-swap-'));
  scratch.push(outdir);
  const app = createCdkApp({ outdir, context: { package: packagePath, stackName: 'AgentSpec-swap' } });
  const { stack } = buildAgentSpecApp(app, { projectRoot, irOutDir: join(outdir, 'agentspec') });
  app.synth();
  return (JSON.parse(readFileSync(join(outdir, `${stack.templateFile}`), 'utf8')) as { Resources: Resources }).Resources;
}

const ofType = (resources: Resources, type: string) => Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
const aliasNamed = (resources: Resources, prefix: string) => Object.entries(ofType(resources, 'AWS::Lambda::Alias')).find(([id]) => id.startsWith(prefix))![1];
const functionNamed = (resources: Resources, suffix: string) =>
  Object.values(ofType(resources, 'AWS::Lambda::Function')).find((r) => String(r.Properties.Description).endsWith(suffix))!;

let first: Resources;
let again: Resources;
let changed: Resources;

// Each synth bundles the functions with esbuild: three of them for the file.
beforeAll(() => {
  // inside the project, so the package's server resolves its imports as the original does
  const changedDir = join(projectRoot, 'dist', `test-changed-package-${process.pid}`);
  mkdirSync(changedDir, { recursive: true });
  scratch.push(changedDir);
  cpSync(join(projectRoot, 'examples/support'), changedDir, { recursive: true });
  const file = join(changedDir, 'agents.ias');
  writeFileSync(file, readFileSync(file, 'utf8').replace('version "1.0.0"', 'version "1.1.0"'));
  first = synth('examples/support/agents.ias');
  again = synth('examples/support/agents.ias');
  changed = synth(file);
}, 600_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('a cdk deploy after a hot swap', () => {
  it('changes nothing when the package is the one synthesized before: the functions, versions and aliases are identical', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::Lambda::Url'])
      expect(ofType(again, type), type).toEqual(ofType(first, type));
  });

  it('moves the live aliases to a new version of the synthesized package when the package changed', () => {
    for (const [alias, fn] of [
      ['RunLive', ': run'],
      ['StreamLive', ': stream'],
    ] as const) {
      const before = aliasNamed(first, alias).Properties.FunctionVersion as { 'Fn::GetAtt': [string, string] };
      const after = aliasNamed(changed, alias).Properties.FunctionVersion as { 'Fn::GetAtt': [string, string] };
      // a new Version resource (its logical id hashes the function's code and configuration): CloudFormation publishes it and moves the alias
      expect(after['Fn::GetAtt'][0]).not.toBe(before['Fn::GetAtt'][0]);
      expect(Object.keys(ofType(changed, 'AWS::Lambda::Version'))).toContain(after['Fn::GetAtt'][0]);
      // the configuration CloudFormation writes names the bundled IR and not the hot swap's: the new version serves the synthesized package
      const variables = (functionNamed(changed, fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const previous = (functionNamed(first, fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.AGENTSPEC_BUNDLED_IR_DIGEST).not.toEqual(previous.AGENTSPEC_BUNDLED_IR_DIGEST);
      expect(variables).not.toHaveProperty('AGENTSPEC_IR_DIGEST');
    }
  });
});
