/**
 * The `lambda` target of `agentspec apply`: the CDK stack of infra/ deployed
 * programmatically with @aws-cdk/toolkit-lib (synth with local esbuild, then
 * CloudFormation), progress forwarded to the CLI, endpoints from the stack
 * outputs. Needs AWS credentials and a bootstrapped account (`npx cdk bootstrap`).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackSelectionStrategy, Toolkit, type IIoHost, type IoMessage } from '@aws-cdk/toolkit-lib';
import { definedOnly } from '../../../shared/defined.js';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, PlanItem, TargetState, TargetStatus } from '../types.js';
import { addPackageStack, createCdkApp, stackNameOf } from '../../../infra/build-app.js';
import { packageSourceFromIR } from '../../../infra/package-source.js';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Deploys a package's agents to AWS Lambda through the CDK toolkit library. */
export class LambdaDeployer implements Deployer {
  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const stack = stackNameOf(ctx.ir.package.name);
    if (!ctx.state) return [{ resource: `stack/${stack}`, action: 'create' }];
    if (ctx.state.ir_hash === ctx.ir.hash) return [{ resource: `stack/${stack}`, action: 'unchanged' }];
    return [
      {
        resource: `stack/${stack}`,
        action: 'update',
        reason: 'the package changed (for a package-only change, POST /v1/deploy hot-swaps without CloudFormation)',
      },
    ];
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    const stackName = stackNameOf(ctx.ir.package.name);
    const toolkit = this.toolkit(ctx);
    const cx = await this.assembly(toolkit, ctx);
    ctx.progress(`deploying stack ${stackName} (CloudFormation)…`);
    let outputs: Record<string, string>;
    try {
      const result = await toolkit.deploy(cx, { stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [stackName] } });
      outputs = result.stacks[0]?.outputs ?? {};
    } catch (error) {
      throw new AgentSpecError(ErrorCode.DeployError, `Deploying ${stackName} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        details: { stack: stackName },
      });
    }
    for (const key of ['RunEndpoint', 'StreamEndpoint', 'DeployEndpoint']) if (outputs[key]) ctx.progress(`${key}: ${outputs[key]}`);
    for (const [output, secret] of Object.entries(outputs)) {
      if (/^UserKey\w+Secret$/.test(output)) {
        ctx.progress(`a user key is in Secrets Manager secret ${secret}: read it with aws secretsmanager get-secret-value and hand it to its users`);
        continue;
      }
      const label = /^(\w+)KeySecret$/.exec(output)?.[1];
      if (label) ctx.progress(`put the ${label} key in Secrets Manager secret ${secret} (aws secretsmanager put-secret-value)`);
    }
    return {
      target: ctx.deploy.name,
      kind: 'lambda',
      ir_hash: ctx.ir.hash,
      ...(outputs.RunEndpoint ? { endpoint: outputs.RunEndpoint } : {}),
      ids: {
        stack: stackName,
        ...pick(outputs, ['StreamEndpoint', 'DeployEndpoint', 'SessionsTable', 'IRBucket', 'AnthropicKeySecret', 'OpenAIKeySecret', 'ApiKeysSecret']),
      },
      fingerprints: { ir: ctx.ir.hash },
      applied_at: new Date().toISOString(),
    };
  }

  /** Drift of a stack is CloudFormation's to tell: `npx cdk diff` compares the synthesized stack with the deployed one. */
  diff(ctx: DeployContext): Promise<DriftItem[]> {
    return Promise.reject(
      new AgentSpecError(
        ErrorCode.InvalidRequest,
        `agentspec diff compares process, docker, docker-compose and kubernetes targets with what runs; for the lambda target "${ctx.deploy.name}", \`npx cdk diff\` compares the stack with the deployed one.`,
      ),
    );
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const endpoint = ctx.state?.endpoint;
    if (!endpoint) return { target: ctx.deploy.name, healthy: false, detail: { reason: 'not deployed' } };
    try {
      const res = await fetch(new URL('healthz', endpoint), { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      return {
        target: ctx.deploy.name,
        healthy: res.ok,
        endpoint,
        ...(typeof body.version === 'string' ? { version: body.version } : {}),
        detail: { status: res.status, ...body },
      };
    } catch (error) {
      return { target: ctx.deploy.name, healthy: false, endpoint, detail: { error: error instanceof Error ? error.message : String(error) } };
    }
  }

  // eslint-disable-next-line require-yield -- refuses before producing anything
  async *logs(ctx: DeployContext): AsyncIterable<string> {
    const stack = ctx.state?.ids.stack ?? stackNameOf(ctx.ir.package.name);
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      `Logs of the lambda target are not streamed by agentspec; use \`aws logs tail --follow\` on the log groups of stack ${stack}.`,
      { details: { stack } },
    );
  }

  async destroy(ctx: DeployContext): Promise<void> {
    const stackName = stackNameOf(ctx.ir.package.name);
    const toolkit = this.toolkit(ctx);
    const cx = await this.assembly(toolkit, ctx);
    ctx.progress(`destroying stack ${stackName} (the sessions table and the IR bucket are retained)…`);
    await toolkit.destroy(cx, { stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [stackName] } });
  }

  private toolkit(ctx: DeployContext): Toolkit {
    const ioHost: IIoHost = {
      notify: async (msg: IoMessage<unknown>) => {
        if (msg.level === 'info' || msg.level === 'result' || msg.level === 'warn' || msg.level === 'error') ctx.progress(msg.message);
      },
      requestResponse: async (msg) => msg.defaultResponse,
    };
    return new Toolkit({ ioHost });
  }

  private assembly(toolkit: Toolkit, ctx: DeployContext) {
    return toolkit.fromAssemblyBuilder(async (props) => {
      const app = createCdkApp(definedOnly({ outdir: props.outdir, context: props.context }));
      const source = packageSourceFromIR(ctx.ir, { packageDir: ctx.workdir, outDir: join(app.outdir, 'agentspec'), deploy: ctx.deploy });
      addPackageStack(app, source, PROJECT_ROOT);
      return app.synth();
    });
  }
}

function pick(outputs: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => outputs[k] !== undefined).map((k) => [k, outputs[k]!]));
}
