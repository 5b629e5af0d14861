/**
 * A python function asset run the way the managed `python3.13` runtime runs
 * it, with `python-bootstrap.py` standing in for AWS's runtime interface
 * client (PyPI only, unreachable here): the machine's python3 imports
 * `handler.handler` from the task root and serves the Runtime API stand-in
 * (`runtime-api.ts`), with the environment variables Lambda gives a function.
 */
import { fileURLToPath } from 'node:url';
import { requireCommand } from '../require-system.js';
import { lambdaEnvironment, spawnFunctionProcess, type LambdaFunction } from './lambda-function.js';
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
    ...lambdaEnvironment({ api, taskRoot: options.taskRoot, handler: 'handler.handler', name: 'sandbox-python' }),
    AWS_EXECUTION_ENV: 'AWS_Lambda_python3.13',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    PYTHONPATH: '/var/runtime',
    // the task root is read-only on Lambda: no bytecode is written beside the handler
    PYTHONDONTWRITEBYTECODE: '1',
    ...options.environment,
  };
  return spawnFunctionProcess(python, [BOOTSTRAP], { api, cwd: options.taskRoot, env });
}
