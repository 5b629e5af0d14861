/**
 * Synthesizes a package's stack without bundling (the assets are built by
 * test/aws/agentspec-stack.test.ts), with cdk-nag's errors as the synth
 * error, and reads the parts of the template the stack tests look at.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildAgentSpecApp, createCdkApp } from '../../../infra/build-app.js';

const projectRoot = resolve(import.meta.dirname, '../../..');
export type Resource = { Type: string; Properties: Record<string, unknown> };

/** Writes `source` as `<dir>/<name>.ias`, synthesizes its stack; the error synth threw (cdk-nag findings included), if any. */
export function synthPackageStack(dir: string, name: string, source: string): { template: Template; synthError: unknown } {
  const file = join(dir, `${name}.ias`);
  writeFileSync(file, source);
  const out = join(dir, `${name}.out`);
  const app = createCdkApp({ outdir: out, context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildAgentSpecApp(app, { projectRoot, irOutDir: join(out, 'agentspec'), packagePath: file });
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  const report = join(out, 'validation-report.json');
  if (!synthError && existsSync(report)) {
    const { pluginReports } = JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: { violations: { severity: string; ruleName: string }[] }[] };
    const errors = pluginReports.flatMap((p) => p.violations).filter((v) => v.severity === 'error');
    if (errors.length) synthError = new Error(`cdk-nag: ${errors.map((v) => v.ruleName).join(', ')}`);
  }
  return { template: Template.fromStack(built.stack), synthError };
}

/** The logical ids of the secrets, without their hash suffix. */
export const secretsOf = (template: Template) => Object.keys(template.findResources('AWS::SecretsManager::Secret')).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
export const functionOf = (template: Template, prefix: string) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1] as Resource;
export const variablesOf = (fn: Resource) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
export const policyOf = (template: Template, prefix: string) =>
  JSON.stringify(Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(`${prefix}ServiceRoleDefaultPolicy`))![1]);
export const logicalIdOf = (template: Template, prefix: string) =>
  Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith(prefix))!;
