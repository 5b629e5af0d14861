/**
 * The smoke test of a published version before an alias moves to it: Invoke
 * the version (Qualifier = its number) with a Function URL-shaped
 * `GET /healthz` and check that it answers 2xx, `status: ok`, and serves the
 * IR that was deployed (`ir_hash`). The run function answers a buffered
 * `{statusCode, body}`; the stream function is a response-streaming handler,
 * which a plain Invoke answers with the bytes it streamed, buffered: the
 * JSON prelude, 8 NUL bytes, then the body. Both are read here.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';

export interface SmokeTarget {
  /** `run` or `stream`, for messages */
  role: string;
  functionName: string;
  version: string;
  /** the deployed IR's `hash`, which `/healthz` reports as `ir_hash` */
  irHash: string;
}

/** What a smoke test found wrong, for the deploy's error details (never a payload: it may hold anything). */
export interface SmokeFailure {
  function: string;
  function_name: string;
  version: string;
  reason: 'function_error' | 'status' | 'timeout' | 'wrong_ir' | 'invoke_failed' | 'bad_answer';
  status?: number;
  error_type?: string;
}

const DELIMITER = Buffer.alloc(8);

/** A payload-format-2.0 Function URL event for `GET /healthz`, as the alias's URL would send it. */
export function healthzEvent(): Record<string, unknown> {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/healthz',
    rawQueryString: '',
    headers: { host: 'smoke-test.lambda-url.internal', 'user-agent': 'agentspec-hot-swap', 'x-forwarded-proto': 'https' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'smoke-test',
      domainName: 'smoke-test.lambda-url.internal',
      domainPrefix: 'smoke-test',
      http: { method: 'GET', path: '/healthz', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'agentspec-hot-swap' },
      requestId: `smoke-${now}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
}

/** Invokes the version and returns what is wrong with its answer, or `undefined` when it is healthy. */
export async function smokeTest(lambda: LambdaClient, target: SmokeTarget, timeoutMs: number): Promise<SmokeFailure | undefined> {
  const fail = (reason: SmokeFailure['reason'], extra: { status?: number; error_type?: string } = {}): SmokeFailure => ({
    function: target.role,
    function_name: target.functionName,
    version: target.version,
    reason,
    ...extra,
  });
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => (abort.abort(), resolve('timeout')), timeoutMs);
  });
  let out;
  try {
    const invoked = lambda.send(
      new InvokeCommand({ FunctionName: target.functionName, Qualifier: target.version, Payload: Buffer.from(JSON.stringify(healthzEvent())) }),
      { abortSignal: abort.signal },
    );
    invoked.catch(() => undefined);
    out = await Promise.race([invoked, timedOut]);
  } catch (error) {
    return fail('invoke_failed', { error_type: error instanceof Error ? error.name : 'Error' });
  } finally {
    clearTimeout(timer);
  }
  if (out === 'timeout') return fail('timeout');
  const payload = Buffer.from(out.Payload ?? new Uint8Array());
  if (out.FunctionError) return fail('function_error', { error_type: errorTypeOf(payload) ?? out.FunctionError });
  if (out.StatusCode !== undefined && (out.StatusCode < 200 || out.StatusCode > 299)) return fail('invoke_failed', { status: out.StatusCode });
  const answer = httpAnswerOf(payload);
  if (!answer) return fail('bad_answer');
  if (answer.status < 200 || answer.status > 299) return fail('status', { status: answer.status });
  let health: { status?: unknown; ir_hash?: unknown };
  try {
    health = JSON.parse(answer.body) as typeof health;
  } catch {
    return fail('bad_answer', { status: answer.status });
  }
  if (health.status !== 'ok') return fail('bad_answer', { status: answer.status });
  if (health.ir_hash !== target.irHash) return fail('wrong_ir', { status: answer.status });
  return undefined;
}

/** The HTTP status and body of a buffered Function URL answer or of a buffered response stream. */
export function httpAnswerOf(payload: Buffer): { status: number; body: string } | undefined {
  const split = payload.indexOf(DELIMITER);
  if (split >= 0) {
    // a response stream: JSON prelude, 8 NUL bytes, the body
    const prelude = parseObject(payload.subarray(0, split).toString('utf8'));
    const status = prelude?.statusCode;
    return typeof status === 'number' ? { status, body: payload.subarray(split + DELIMITER.length).toString('utf8') } : undefined;
  }
  const buffered = parseObject(payload.toString('utf8'));
  if (!buffered || typeof buffered.statusCode !== 'number') return undefined;
  const raw = typeof buffered.body === 'string' ? buffered.body : '';
  return { status: buffered.statusCode, body: buffered.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw };
}

/** The `errorType` of a function error payload, when it is a plain name; its message is left out, it may quote anything. */
function errorTypeOf(payload: Buffer): string | undefined {
  const type = parseObject(payload.toString('utf8'))?.errorType;
  return typeof type === 'string' && /^[\w.:-]{1,100}$/.test(type) ? type : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
