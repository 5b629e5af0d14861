/**
 * The run and stream functions' sandbox on Lambda, against a stand-in of the
 * invoke: the payload it sends, and how Lambda's answers become the results
 * the InlineExecutor understands (a timeout, a kill, a failure, a cancel).
 */
import { describe, expect, it } from 'vitest';
import { createLambdaSandbox, type InvokeFunction } from '../../functions/lib/sandbox/lambda-sandbox.js';
import type { SandboxRunRequest } from '../../shared/sandbox/types.js';

const request: SandboxRunRequest = {
  language: 'javascript',
  code: 'console.log(1)',
  stdin: '{}',
  env: { K: 'v' },
  timeoutMs: 1000,
  memoryBytes: 128 * 2 ** 20,
};
const answering =
  (functionError: string | undefined, body: unknown, sent: unknown[] = []): InvokeFunction =>
  (name, payload) => {
    sent.push({ name, payload: JSON.parse(payload) as unknown });
    return Promise.resolve({ functionError, payload: JSON.stringify(body) });
  };

describe('the Lambda sandbox', () => {
  it('sends the contract payload to the function of the language and maps the answer', async () => {
    const sent: unknown[] = [];
    const answer = { exit_code: 0, signal: null, stdout: '1\n', stderr: '', timed_out: false, truncated: false, duration_ms: 7 };
    const sandbox = createLambdaSandbox({ javascript: 'js-fn' }, answering(undefined, answer, sent));
    expect(await sandbox.run(request)).toEqual({ exitCode: 0, signal: null, stdout: '1\n', stderr: '', timedOut: false, truncated: false, duration_ms: 7 });
    expect(sent).toEqual([
      {
        name: 'js-fn',
        payload: { language: 'javascript', code: 'console.log(1)', stdin: '{}', env: { K: 'v' }, timeout_ms: 1000, memory_bytes: 128 * 2 ** 20 },
      },
    ]);
    expect(sandbox.isolation).toMatchObject({ full: true, mode: 'lambda-function', missing: [expect.stringContaining('python')] });
  });

  it("turns Lambda's timeout into a timed-out result and its out-of-memory end into a kill", async () => {
    const timedOut = createLambdaSandbox(
      { javascript: 'f' },
      answering('Unhandled', { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 6.00 seconds' }),
    );
    expect(await timedOut.run(request)).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    const oom = createLambdaSandbox({ javascript: 'f' }, answering('Unhandled', { errorType: 'Runtime.OutOfMemory', errorMessage: 'signal: killed' }));
    expect(await oom.run(request)).toMatchObject({ timedOut: false, exitCode: null, signal: 'SIGKILL' });
  });

  it('fails the call on any other function error or a failed invoke, and refuses a language without a function', async () => {
    const failing = createLambdaSandbox(
      { javascript: 'f' },
      answering('Unhandled', { errorType: 'Error', errorMessage: 'Invalid sandbox invoke payload: env.' }),
    );
    await expect(failing.run(request)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('(Error): Invalid sandbox invoke payload'),
    });
    const throttled = createLambdaSandbox({ javascript: 'f' }, () =>
      Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' })),
    );
    await expect(throttled.run(request)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('TooManyRequestsException') });
    await expect(createLambdaSandbox({ javascript: 'f' }, answering(undefined, {})).run({ ...request, language: 'python' })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it('hands the abort signal to the invoke and reports a cancelled call', async () => {
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    const sandbox = createLambdaSandbox({ javascript: 'f' }, (_name, _payload, signal) => {
      given = signal;
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const running = sandbox.run({ ...request, signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(given).toBe(controller.signal);
  });
});
