/**
 * Inline code on AWS, end to end, each function under aws-lambda-ric: the run
 * function (credentials of its role, the Anthropic key from the secrets
 * extension, API keys) invokes the package's JavaScript sandbox function
 * through Lambda's Invoke API (a stand-in over HTTP, reached by the SDK via
 * AWS_ENDPOINT_URL_LAMBDA); the fake model calls the inline tool and receives
 * its result. The tool looks for what it must not find: its own environment,
 * every readable /proc/<pid>/environ, and the caller's Runtime API.
 *
 * On AWS each function is its own microVM; here both run on one host, so the
 * processes the tool could reach in its own execution environment are those
 * of the sandbox function's process tree (the tool reports each environ it
 * read with its parent pid, and the test keeps that tree).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, projectRoot, type BuiltFunction } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { functionEnvironment } from '../helpers/lambda-bundle/index.js';
import { startLambdaFunction, type LambdaFunction, type StartedLambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { startLambdaInvokeApi, type LambdaInvokeApi } from './helpers/lambda-invoke-api.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const SANDBOX_NAME = 'probe-sandbox-javascript';
const KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:anthropic-key-AbCdEf';
/** what the run function holds, which the tool must never see */
const CALLER = {
  AWS_ACCESS_KEY_ID: 'AKIARUNFUNCTIONROLE',
  AWS_SECRET_ACCESS_KEY: 'secret-of-the-run-function-role',
  ANTHROPIC: 'anthropic-key-of-the-run-function',
  AGENTSPEC_API_KEYS: 'client-api-key-of-the-run-function',
};

// The tool: its environment's names, each readable environ (with the parent pid) as the markers it holds, and a try at the Runtime API.
const PROBE = `const fs = require('node:fs');
const markers = JSON.parse(require('node:fs').readFileSync(0, 'utf8')).markers;
const environs = [];
for (const pid of fs.readdirSync('/proc').filter((e) => /^[0-9]+$/.test(e))) {
  try {
    const text = fs.readFileSync('/proc/' + pid + '/environ', 'latin1');
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    environs.push({ pid: Number(pid), ppid, found: Object.keys(markers).filter((k) => text.includes(markers[k])) });
  } catch {}
}
const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001').split(':');
const report = (runtimeApi) => console.log(JSON.stringify({ pid: process.pid, env: Object.keys(process.env), environs, runtimeApi }));
require('node:http')
  .get({ host, port, path: '/2018-06-01/runtime/invocation/next', timeout: 1000 }, (r) => report('answered ' + r.statusCode))
  .on('error', () => report('unreachable'))
  .on('timeout', function () { this.destroy(); });`;

const PACKAGE = `package "probe" version "1.0.0" lang "2.0"
skill "probe" {
  description "Look around"
  input {
    markers object required
  }
  tool inline {
    language "javascript"
    code ${JSON.stringify(PROBE)}
    timeout "10s"
    memory "128Mi"
  }
}
agent "prober" {
  uses skill "probe"
  model "claude-haiku-4-5"
}
`;

let fake: FakeAnthropic;
let outdir: string;
let built: Record<'run' | 'sandbox-javascript', BuiltFunction>;
let sandbox: StartedLambdaFunction;
let run: LambdaFunction;
let invokeApi: LambdaInvokeApi;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  outdir = join(projectRoot, 'dist', `test-sandbox-e2e-${process.pid}`);
  mkdirSync(join(outdir, 'tmp'), { recursive: true });
  built = {
    run: await buildFunction('run', join(outdir, 'run')),
    'sandbox-javascript': await buildFunction('sandbox-javascript', join(outdir, 'sandbox')),
  };
  sandbox = await startLambdaFunction({
    taskRoot: dirname(built['sandbox-javascript'].outfile),
    // the sandbox function's own role: the stack gives it no permission
    environment: { TMPDIR: join(outdir, 'tmp'), AWS_ACCESS_KEY_ID: 'AKIA-EMPTY-SANDBOX-ROLE', AWS_SESSION_TOKEN: 'session-token-of-the-empty-role' },
  });
  invokeApi = await startLambdaInvokeApi({ [SANDBOX_NAME]: { api: sandbox.api, timeoutMs: 15_000 } });
  run = await startLambdaFunction({
    taskRoot: dirname(built.run.outfile),
    environment: {
      ...functionEnvironment(PACKAGE, 'probe-run', outdir, fake.url),
      AGENTSPEC_ANTHROPIC_SECRET: KEY_SECRET,
      AGENTSPEC_SANDBOX_JAVASCRIPT_FUNCTION: SANDBOX_NAME,
      AWS_ENDPOINT_URL_LAMBDA: invokeApi.url,
      AWS_ACCESS_KEY_ID: CALLER.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: CALLER.AWS_SECRET_ACCESS_KEY,
      AGENTSPEC_API_KEYS: CALLER.AGENTSPEC_API_KEYS,
    },
    secrets: { [KEY_SECRET]: CALLER.ANTHROPIC },
  });
}, 600_000);

afterAll(async () => {
  await Promise.all([run?.stop(), sandbox?.stop()]);
  await invokeApi?.close();
  await fake?.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe('an inline JavaScript tool of the run function on AWS', () => {
  it('runs in the sandbox function, and the model receives its result, which found nothing of the caller', async () => {
    // Prepare: the markers are the caller's values plus its Runtime API address; the tool reports names only
    const markers = { ...CALLER, AWS_LAMBDA_RUNTIME_API: run.api.address, SANDBOX_ROLE: 'AKIA-EMPTY-SANDBOX-ROLE' };
    fake.script({ toolUses: [{ name: 'probe', input: { markers } }] }, { text: 'Done.' });
    // Act
    const result = await run.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/prober/invoke', body: { message: 'look around' } }));
    // Assess
    const payload = (result as { payload: { statusCode: number; body: string } }).payload;
    expect(payload.statusCode).toBe(200);
    expect(JSON.parse(payload.body)).toMatchObject({ output: 'Done.', tool_calls: [expect.objectContaining({ name: 'probe', status: 'ok' })] });
    expect(invokeApi.invoked).toEqual([SANDBOX_NAME]);
    const followUp = fake.requests.at(-1)!.body as { messages: { content: unknown }[] };
    const toolResult = (followUp.messages.at(-1)!.content as { type: string; content: unknown }[]).find((b) => b.type === 'tool_result')!;
    const text = typeof toolResult.content === 'string' ? toolResult.content : (toolResult.content as { text: string }[]).map((b) => b.text).join('');
    const seen = JSON.parse(text) as { pid: number; env: string[]; environs: { pid: number; ppid: number; found: string[] }[]; runtimeApi: string };

    // its own environment: nothing of AWS, the runtime API, the handler or the task root
    expect(seen.env.filter((name) => /^(AWS_|LAMBDA_|_HANDLER|ANTHROPIC|AGENTSPEC)/.test(name))).toEqual([]);
    // the sandbox function's execution environment: its runtime process and everything under it
    const inside = new Set([sandbox.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of seen.environs) if (inside.has(p.ppid) && !inside.has(p.pid)) grew = inside.add(p.pid).size > 0;
    }
    const reachable = seen.environs.filter((p) => inside.has(p.pid));
    // the scan works: it read the sandbox runtime's environ, where only the empty role's credentials are
    expect(reachable.find((p) => p.pid === sandbox.pid)?.found).toEqual(['SANDBOX_ROLE']);
    expect(reachable.flatMap((p) => p.found.filter((name) => name !== 'SANDBOX_ROLE'))).toEqual([]);
    // no Runtime API named to it, and Lambda's default address does not answer here
    expect(seen.runtimeApi).toBe('unreachable');
  });

  it('says in /healthz that inline code runs in sandbox functions', async () => {
    const health = await run.api.invoke(functionUrlEvent({ method: 'GET', path: '/healthz' }));
    const body = JSON.parse((health as { payload: { body: string } }).payload.body) as { inline_code: unknown };
    expect(body.inline_code).toMatchObject({ mode: 'lambda-function', missing: [expect.stringContaining('python')] });
  });
});
