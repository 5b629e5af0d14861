/** The deploy function's app: the hot-swap API wired to this account's functions and bucket. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { Hono } from 'hono';
import { awsConfigFromEnv, required } from '../../shared/aws/index.js';
import { HotSwap, createHotSwapApp, type DeployInput } from '../../shared/deploy/hot-swap/index.js';
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

/** Builds the deploy app from the function's configuration. */
export function createDeployApp(env: NodeJS.ProcessEnv = process.env, clients: { lambda?: LambdaClient; s3?: S3Client } = {}): Hono {
  const config = awsConfigFromEnv(env);
  const hotSwap = new HotSwap({
    lambda: clients.lambda ?? new LambdaClient({}),
    s3: clients.s3 ?? new S3Client({}),
    bucket: required(config, 'irBucket', 'AGENTSPEC_IR_BUCKET'),
    functions: { run: required(config, 'runFunction', 'AGENTSPEC_RUN_FUNCTION'), stream: required(config, 'streamFunction', 'AGENTSPEC_STREAM_FUNCTION') },
    alias: config.alias,
  });
  return createHotSwapApp({ hotSwap, toIR: async (input) => toIR(input) });
}
