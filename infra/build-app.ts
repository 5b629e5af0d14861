/** Builds the stack for a package into a CDK app, with cdk-nag's AwsSolutions checks attached. */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { definedOnly } from '../shared/defined.js';
import { AgentSpecStack } from './agentspec-stack.js';
import { FEATURE_FLAGS } from './feature-flags.js';
import { DEFAULT_PACKAGE, loadPackageSource, type PackageSource } from './package-source.js';

export interface BuildAppOptions {
  projectRoot: string;
  irOutDir: string;
  /** overrides the `package` context value */
  packagePath?: string;
}

/**
 * A CDK app with the project's feature flags (cdk.json) under the context it
 * is given: what the CLI does for `npx cdk synth`, for the apps built in code.
 */
export function createCdkApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
}

/** Adds the package's stack to `app`; returns it and what was compiled. */
export function buildAgentSpecApp(app: App, options: BuildAppOptions): { stack: AgentSpecStack; source: PackageSource } {
  const source = loadPackageSource({
    packagePath: options.packagePath ?? contextOf(app, 'package') ?? DEFAULT_PACKAGE,
    projectRoot: options.projectRoot,
    outDir: options.irOutDir,
    target: contextOf(app, 'target'),
    env: contextOf(app, 'env'),
  });
  return { stack: addPackageStack(app, source, options.projectRoot), source };
}

function contextOf(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The stack name for a package (`-c stackName=…` overrides it). */
export function stackNameOf(packageName: string): string {
  return `AgentSpec-${packageName.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/** Adds the stack of an already compiled package, with cdk-nag attached. */
export function addPackageStack(app: App, source: PackageSource, projectRoot: string): AgentSpecStack {
  const ctx = (key: string) => contextOf(app, key);
  const stack = new AgentSpecStack(app, ctx('stackName') ?? stackNameOf(source.ir.package.name), {
    env: definedOnly({
      account: ctx('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: source.region ?? ctx('region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
    }),
    description: `AgentSpec package ${source.ir.package.name}@${source.ir.package.version} on AWS Lambda`,
    packageName: source.ir.package.name,
    irFile: source.irFile,
    irDigest: source.irDigest,
    packageDir: source.packageDir,
    projectRoot,
    lambda: source.lambda,
    storeSecrets: source.storeSecrets,
    deployBlock: source.deploy,
    sourceMaps: ctx('sourceMaps') === 'true',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
