/** The deploy function's app: the hot-swap API wired to this account's functions and bucket. */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Hono } from 'hono';
import { awsConfigFromEnv, required } from './aws/index.js';
import { createHotSwapApp, type DeployInput, type HotSwapAppOptions } from './hot-swap/app.js';
import { coverageGaps, DEPLOY_COVERAGE_ENV, parseCoverage, type DeployCoverage } from './hot-swap/coverage.js';
import type { HotSwap } from './hot-swap/hot-swap.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { loadIR, type IRDocument } from '../../shared/ir/index.js';
import { compile, renderDiagnostic } from '../../shared/lang/index.js';

/** Compiles a source or checks an IR; invalid input throws with its diagnostics and changes nothing. */
export function toIR(input: DeployInput): IRDocument {
  if (input.kind === 'ir') {
    try {
      return loadIR(input.json);
    } catch (error) {
      if (error instanceof AgentSpecError) throw new AgentSpecError(ErrorCode.ValidationError, error.message, { cause: error, details: error.details });
      throw error;
    }
  }
  const file = input.file ?? 'package.ias';
  const { ir, diagnostics } = compile(input.source, { file });
  if (!ir) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new AgentSpecError(ErrorCode.ValidationError, `The package has ${errors.length} error(s); nothing was deployed.`, {
      details: { diagnostics: diagnostics.map((d) => ({ ...d, rendered: renderDiagnostic(d, input.source) })) },
    });
  }
  return ir;
}

/**
 * Refuses a package that needs more than the stack's synth gave the functions
 * (a secret, a file, a sandbox, a Lambda setting), naming every gap; also
 * refuses every package when the stack set no coverage, since nothing then
 * says what the functions can serve. Nothing has been written when it throws.
 */
export function checkCoverage(ir: IRDocument, coverage: string | undefined): void {
  let parsed: DeployCoverage | undefined;
  try {
    parsed = parseCoverage(coverage);
  } catch (error) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The deploy function's ${DEPLOY_COVERAGE_ENV} setting is unreadable; nothing was deployed.`, {
      cause: error,
      details: { variable: DEPLOY_COVERAGE_ENV },
    });
  }
  if (!parsed)
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      `The deploy function has no ${DEPLOY_COVERAGE_ENV} setting, so it cannot tell whether the stack covers a package; nothing was deployed. Run cdk deploy with this version of the stack.`,
      { details: { variable: DEPLOY_COVERAGE_ENV } },
    );
  const gaps = coverageGaps(ir, parsed);
  if (gaps.length > 0)
    throw new AgentSpecError(
      ErrorCode.InvalidRequest,
      `The package needs what the deployed stack does not have, so it cannot be hot-swapped: ${gaps.map((g) => g.message).join(' ')} Deploy it with cdk deploy; nothing was deployed.`,
      { details: { gaps, needs: 'cdk deploy' } },
    );
}

/**
 * Builds the deploy app from the function's configuration. The hot swap and
 * its Lambda and S3 clients are loaded on the first call that needs them:
 * importing the AWS SDK clients is most of this function's cold start, and a
 * rejected package never needs them.
 */
export function createDeployApp(env: NodeJS.ProcessEnv = process.env, clients: { lambda?: LambdaClient; s3?: S3Client } = {}): Hono {
  const config = awsConfigFromEnv(env);
  const options = {
    bucket: required(config, 'irBucket', 'AGENTSPEC_IR_BUCKET'),
    functions: { run: required(config, 'runFunction', 'AGENTSPEC_RUN_FUNCTION'), stream: required(config, 'streamFunction', 'AGENTSPEC_STREAM_FUNCTION') },
    alias: config.alias,
  };
  let loading: Promise<HotSwap> | undefined;
  const load = (): Promise<HotSwap> => {
    loading ??= (async () => {
      const [{ HotSwap }, lambda, s3] = await Promise.all([
        import('./hot-swap/hot-swap.js'),
        clients.lambda ?? import('@aws-sdk/client-lambda').then((m) => new m.LambdaClient({})),
        clients.s3 ?? import('@aws-sdk/client-s3').then((m) => new m.S3Client({})),
      ]);
      return new HotSwap({ ...options, lambda, s3 });
    })();
    loading.catch(() => (loading = undefined));
    return loading;
  };
  const hotSwap: HotSwapAppOptions['hotSwap'] = {
    deploy: async (ir) => {
      // before the SDK is even loaded: a refused package writes nothing
      checkCoverage(ir, env[DEPLOY_COVERAGE_ENV]);
      return (await load()).deploy(ir);
    },
    status: async () => (await load()).status(),
    rollback: async () => (await load()).rollback(),
  };
  return createHotSwapApp({ hotSwap, toIR: async (input) => toIR(input) });
}
