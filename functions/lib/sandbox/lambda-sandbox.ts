/**
 * The `Sandbox` of the run and stream functions on AWS Lambda: each inline
 * call is a synchronous invoke of the package's sandbox function for its
 * language (functions/sandbox-javascript.ts, functions/sandbox-python/), which
 * runs it in a fresh process under a role that grants nothing. The Lambda
 * client is loaded on the first call, so a cold start does not pay for it.
 * A timeout or an out-of-memory end of the sandbox function becomes the
 * result the local sandbox would give (timed out; killed), so the
 * InlineExecutor words it the same way.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { Sandbox, SandboxIsolation, SandboxRunRequest, SandboxRunResult } from '../../../shared/sandbox/types.js';
import { SANDBOX_FUNCTION_ENV, type SandboxInvokeAnswer, type SandboxInvokePayload, type SandboxLanguage } from './wire.js';

/** What the sandbox needs of the Lambda client: one invoke (a stand-in in tests). */
export type InvokeFunction = (
  functionName: string,
  payload: string,
  signal: AbortSignal | undefined,
) => Promise<{ functionError?: string | undefined; payload: string }>;

/** The sandbox function of each language this environment names. */
export function sandboxFunctionsFromEnv(env: NodeJS.ProcessEnv): Partial<Record<SandboxLanguage, string>> {
  const named: Partial<Record<SandboxLanguage, string>> = {};
  for (const language of ['javascript', 'python'] as const) {
    const name = env[SANDBOX_FUNCTION_ENV[language]];
    if (name) named[language] = name;
  }
  return named;
}

let client: Promise<{ client: LambdaClient; Invoke: typeof import('@aws-sdk/client-lambda').InvokeCommand }> | undefined;

/** Invokes through the AWS SDK (provided by the Lambda runtime), loaded and built once, on the first call. */
const sdkInvoke: InvokeFunction = async (functionName, payload, signal) => {
  client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => ({ client: new LambdaClient({}), Invoke: InvokeCommand }));
  const { client: lambda, Invoke } = await client;
  const out = await lambda.send(
    new Invoke({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: payload }),
    signal ? { abortSignal: signal } : {},
  );
  return { functionError: out.FunctionError, payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : '' };
};

export function createLambdaSandbox(functions: Partial<Record<SandboxLanguage, string>>, invoke: InvokeFunction = sdkInvoke): Sandbox {
  const missing = (['javascript', 'python'] as const)
    .filter((language) => !functions[language])
    .map(
      (language) => `no ${language} sandbox function (${SANDBOX_FUNCTION_ENV[language]}); the stack creates one when the package has ${language} inline tools`,
    );
  const isolation: SandboxIsolation = { full: true, missing, mode: 'lambda-function', seccomp: false };
  return {
    isolation,
    async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
      if (request.language === 'bash') {
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          'Inline bash code is refused on Lambda: there is no bash sandbox function (run bash tools on a process target).',
        );
      }
      const name = functions[request.language];
      if (!name)
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          `Inline ${request.language} code is refused: this function names no ${request.language} sandbox function (${SANDBOX_FUNCTION_ENV[request.language]}).`,
        );
      const payload: SandboxInvokePayload = {
        language: request.language,
        code: request.code,
        stdin: request.stdin,
        env: request.env,
        timeout_ms: request.timeoutMs,
        memory_bytes: request.memoryBytes,
      };
      const started = performance.now();
      let answer: Awaited<ReturnType<InvokeFunction>>;
      try {
        answer = await invoke(name, JSON.stringify(payload), request.signal);
      } catch (error) {
        if (request.signal?.aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'The inline code was cancelled.', { cause: error });
        throw new AgentSpecError(ErrorCode.Unavailable, `The ${request.language} sandbox function could not be invoked (${errorName(error)}).`, {
          cause: error,
        });
      }
      if (request.signal?.aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'The inline code was cancelled.');
      return answer.functionError === undefined ? resultOf(answer.payload, request) : functionFailure(answer.payload, request, performance.now() - started);
    },
    close: () => Promise.resolve(),
  };
}

function resultOf(text: string, request: SandboxRunRequest): SandboxRunResult {
  let a: Partial<SandboxInvokeAnswer> | undefined;
  try {
    a = JSON.parse(text) as Partial<SandboxInvokeAnswer>;
  } catch {
    // reported below
  }
  if (!a || typeof a.stdout !== 'string' || typeof a.stderr !== 'string' || typeof a.timed_out !== 'boolean')
    throw new AgentSpecError(ErrorCode.InternalError, `The ${request.language} sandbox function answered something that is not a sandbox result.`);
  return {
    exitCode: typeof a.exit_code === 'number' ? a.exit_code : null,
    signal: typeof a.signal === 'string' ? a.signal : null,
    stdout: a.stdout,
    stderr: a.stderr,
    timedOut: a.timed_out,
    truncated: a.truncated === true,
    duration_ms: typeof a.duration_ms === 'number' ? a.duration_ms : 0,
  };
}

/**
 * A function error (`X-Amz-Function-Error`): Lambda's own timeout
 * (`Sandbox.Timedout`) and out-of-memory end (`Runtime.OutOfMemory`) are
 * the call's timeout and a kill; anything else fails the call with Lambda's
 * error type (the sandbox function's messages name fields, never values).
 */
function functionFailure(text: string, request: SandboxRunRequest, elapsed: number): SandboxRunResult {
  let body: { errorType?: unknown; errorMessage?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // an empty or non-JSON error body
  }
  const type = typeof body.errorType === 'string' ? body.errorType : '';
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : '';
  const ended = { stdout: '', stderr: '', truncated: false, duration_ms: Math.round(elapsed), exitCode: null, signal: 'SIGKILL' };
  if (type === 'Sandbox.Timedout' || /Task timed out/.test(message)) return { ...ended, timedOut: true };
  if (type === 'Runtime.OutOfMemory') return { ...ended, timedOut: false };
  throw new AgentSpecError(ErrorCode.Unavailable, `The ${request.language} sandbox function failed (${type || 'no error type'}): ${message.slice(0, 300)}`, {
    details: { error_type: type },
  });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
