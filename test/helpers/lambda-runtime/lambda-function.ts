/**
 * A function asset run the way the managed `nodejs22.x` runtime runs it: the
 * official node 22 starts AWS's runtime interface client (`aws-lambda-ric`),
 * which loads `index.handler` from the task root and serves the Runtime API
 * stand-in (`runtime-api.ts`). Beside it, a stand-in of the AWS Parameters and
 * Secrets extension answers `GET /secretsmanager/get` on the port the stack
 * configures, only with the `X-Aws-Parameters-Secrets-Token` header equal to
 * the function's session token; its reads go to the same ordered `log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { lambdaNodePath, ricPath } from '../../../scripts/lambda-runtime.mjs';
import { RuntimeApi } from './runtime-api.js';

export const SESSION_TOKEN = 'session-token-of-the-function-role';

export interface LambdaFunctionOptions {
  /** the unpacked asset: where `index.mjs` is */
  taskRoot: string;
  /** the function's environment variables, as the stack sets them */
  environment: Record<string, string | undefined>;
  /** secrets the extension stand-in holds, by id */
  secrets?: Record<string, string>;
}

export interface LambdaFunction {
  api: RuntimeApi;
  /** what the function printed (stdout and stderr) */
  output(): string;
  stop(): Promise<void>;
}

export interface StartedLambdaFunction extends LambdaFunction {
  /** `performance.now()` of this process just before the runtime process was spawned */
  spawnedAt: number;
  /** the runtime process's pid */
  pid: number;
}

export async function startLambdaFunction(options: LambdaFunctionOptions): Promise<StartedLambdaFunction> {
  const [node, ric, api] = await Promise.all([lambdaNodePath(), ricPath(), RuntimeApi.start()]);
  const extension = await startSecretsExtension(api, options.secrets ?? {});
  const env: Record<string, string> = {
    ...lambdaEnvironment({ api, taskRoot: options.taskRoot, handler: 'index.handler', name: 'test-function' }),
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
    ...Object.fromEntries(Object.entries(options.environment).filter((e): e is [string, string] => e[1] !== undefined)),
  };
  return spawnFunctionProcess(node, [ric], { api, cwd: options.taskRoot, env, onStop: () => extension.close() });
}

/** The variables Lambda gives every function process, with the role's (fake) credentials. */
export function lambdaEnvironment(input: { api: RuntimeApi; taskRoot: string; handler: string; name: string }): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: input.api.address,
    _HANDLER: input.handler,
    LAMBDA_TASK_ROOT: input.taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: input.name,
    AWS_LAMBDA_FUNCTION_VERSION: '1',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${input.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/04/[1]0123456789abcdef',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAFUNCTIONROLE',
    AWS_SECRET_ACCESS_KEY: 'secret-of-the-function-role',
    AWS_SESSION_TOKEN: SESSION_TOKEN,
  };
}

/** Spawns a function process serving `api`; a process that dies fails what it was asked, with what it printed. */
export function spawnFunctionProcess(
  command: string,
  args: string[],
  options: { api: RuntimeApi; cwd: string; env: Record<string, string>; onStop?: () => void },
): StartedLambdaFunction {
  const { api } = options;
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  void exited.then(([code, signal]) => api.abandon(new Error(`the function process exited (${String(code ?? signal)}):\n${output.slice(-4000)}`)));
  return {
    api,
    spawnedAt,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      options.onStop?.();
      await api.close();
    },
  };
}

function startSecretsExtension(api: RuntimeApi, secrets: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.searchParams.get('secretId') ?? '';
    api.log.push(`secret ${id}`);
    if (req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN) return void res.writeHead(401).end('unauthorized');
    if (url.pathname !== '/secretsmanager/get' || !(id in secrets)) return void res.writeHead(400).end('{"__type":"ResourceNotFoundException"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ARN: id, Name: id, SecretString: secrets[id], VersionId: 'v1' }));
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}
