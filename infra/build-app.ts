/** Builds the stack for a package into a CDK app, with cdk-nag's AwsSolutions checks attached. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AgentSpecStack } from './agentspec-stack.js';
import { DEFAULT_PACKAGE, loadPackageSource, type PackageSource } from './package-source.js';

export interface BuildAppOptions {
  projectRoot: string;
  irOutDir: string;
  /** overrides the `package` context value */
  packagePath?: string;
}

/** Adds the package's stack to `app`; returns it and what was compiled. */
export function buildAgentSpecApp(app: App, options: BuildAppOptions): { stack: AgentSpecStack; source: PackageSource } {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const source = loadPackageSource({
    packagePath: options.packagePath ?? ctx('package') ?? DEFAULT_PACKAGE,
    projectRoot: options.projectRoot,
    outDir: options.irOutDir,
    target: ctx('target'),
    env: ctx('env'),
  });
  const name = source.ir.package.name.replace(/[^A-Za-z0-9-]/g, '-');
  const stack = new AgentSpecStack(app, ctx('stackName') ?? `AgentSpec-${name}`, {
    env: {
      account: ctx('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: source.region ?? ctx('region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
    },
    description: `AgentSpec package ${source.ir.package.name}@${source.ir.package.version} on AWS Lambda`,
    packageName: source.ir.package.name,
    irFile: source.irFile,
    irDigest: source.irDigest,
    packageDir: source.packageDir,
    projectRoot: options.projectRoot,
    lambda: source.lambda,
    storeSecrets: source.storeSecrets,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, source };
}
