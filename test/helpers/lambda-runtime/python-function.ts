/**
 * A python function asset run the way the managed `python3.13` runtime runs
 * it, with `python-bootstrap.py` standing in for AWS's runtime interface
 * client (PyPI only, unreachable here): the machine's python3 imports
 * `handler.handler` from the task root and serves the Runtime API stand-in
 * (`runtime-api.ts`), with the environment variables Lambda gives a function.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { requireCommand } from '../require-system.js';
import { SESSION_TOKEN, type LambdaFunction } from './lambda-function.js';
import { RuntimeApi } from './runtime-api.js';

const BOOTSTRAP = fileURLToPath(new URL('python-bootstrap.py', import.meta.url));

export interface PythonFunctionOptions {
  /** the unpacked asset: where `handler.py` is */
  taskRoot: string;
  /** the function's environment variables, as the stack sets them (and TMPDIR for a test's private /tmp) */
  environment: Record<string, string>;
}

export interface PythonFunction extends LambdaFunction {
  /** the pid of the function process (the runtime client and the handler) */
  pid: number;
}

export async function startPythonLambdaFunction(options: PythonFunctionOptions): Promise<PythonFunction> {
  const python = requireCommand('python3');
  const api = await RuntimeApi.start();
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: api.address,
    AWS_EXECUTION_ENV: 'AWS_Lambda_python3.13',
    _HANDLER: 'handler.handler',
    LAMBDA_TASK_ROOT: options.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    PYTHONPATH: '/var/runtime',
    AWS_LAMBDA_FUNCTION_NAME: 'sandbox-python',
    AWS_LAMBDA_FUNCTION_VERSION: '1',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/sandbox-python',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/04/[1]0123456789abcdef',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAFUNCTIONROLE',
    AWS_SECRET_ACCESS_KEY: 'secret-of-the-function-role',
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    // the task root is read-only on Lambda: no bytecode is written beside the handler
    PYTHONDONTWRITEBYTECODE: '1',
    ...options.environment,
  };
  const child = spawn(python, [BOOTSTRAP], { cwd: options.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  // a function process that dies fails what it was asked, with what it printed
  void exited.then(([code, signal]) => api.abandon(new Error(`the function process exited (${String(code ?? signal)}):\n${output.slice(-4000)}`)));
  return {
    api,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await api.close();
    },
  };
}
