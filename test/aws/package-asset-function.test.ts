/**
 * The support example's MCP order server on Lambda: the run function built
 * and laid out as its CDK asset is (the handler, the IR, the package asset
 * under `package/`: infra/bundling.ts), started under AWS's runtime interface
 * client on node 22 with `node` first on the PATH as /var/lang/bin is on
 * Lambda; the server imports nothing but node built-ins. The fake model asks
 * for the order lookup; the bundled server answers it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, projectRoot } from '../../scripts/build-functions.mjs';
import { lambdaNodePath } from '../../scripts/lambda-runtime.mjs';
import { BUNDLED_IR_FILE, BUNDLED_PACKAGE_DIR, addPackageFiles } from '../../infra/bundling.js';
import { loadPackageSource } from '../../infra/package-source.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { sentToolResults } from '../helpers/sent-tool-results.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:anthropic-key-AbCdEf';

let fake: FakeAnthropic;
let outdir: string;
let taskRoot: string;
let fn: LambdaFunction | undefined;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-package-asset-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const source = loadPackageSource({ packagePath: 'examples/support/agents.ias', projectRoot, outDir: join(outdir, 'agentspec') });
  taskRoot = dirname((await buildFunction('run', join(outdir, 'run'))).outfile);
  addPackageFiles({ name: 'run', irFile: source.irFile, packageDir: source.packageDir }, taskRoot);
  fn = await startLambdaFunction({
    taskRoot,
    // as the stack sets it (infra/agentspec-stack.ts), the model pointed at the fake
    environment: {
      PATH: `${dirname(await lambdaNodePath())}:/usr/local/bin:/usr/bin:/bin`,
      ANTHROPIC_BASE_URL: fake.url,
      AGENTSPEC_IR_FILE: BUNDLED_IR_FILE,
      AGENTSPEC_PACKAGE_DIR: BUNDLED_PACKAGE_DIR,
      AGENTSPEC_BUNDLED_IR_DIGEST: source.irDigest,
      AGENTSPEC_IR_BUCKET: 'package-asset-test-irs',
      AGENTSPEC_ANTHROPIC_SECRET: KEY_SECRET,
      AGENTSPEC_AUTH: 'iam',
    },
    secrets: { [KEY_SECRET]: 'package-asset-test-key' },
  });
}, 600_000);

afterAll(async () => {
  await fn?.stop();
  await fake?.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe('the support example on Lambda', () => {
  it('carries the order server beside the handler as one file that imports only node built-ins', () => {
    // the task root sits inside the project (for @aws-sdk/*), so resolving would still find the project's node_modules: read the imports
    const server = readFileSync(join(taskRoot, BUNDLED_PACKAGE_DIR, 'orders-server.mjs'), 'utf8');
    const imported = [...server.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(readdirSync(join(taskRoot, BUNDLED_PACKAGE_DIR))).toEqual(['orders-server.mjs']);
    expect(existsSync(join(taskRoot, BUNDLED_IR_FILE))).toBe(true);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((specifier) => !isBuiltin(specifier))).toEqual([]);
  });

  it('looks an order up through the MCP server, and the tool result reaches the model', async () => {
    // Prepare
    fake.script({ toolUses: [{ name: 'lookup-order', input: { order_id: 'A-1001' } }] }, { text: 'Your kettle has shipped with DHL.' });
    const before = fake.requests.length;
    // Act
    const result = await fn!.api.invoke(
      functionUrlEvent({ method: 'POST', path: '/v1/agents/support-bot/invoke', body: { message: 'Where is my order A-1001?' } }),
    );
    // Assess
    expect(result.kind).toBe('buffered');
    const payload = (result as { payload: { statusCode: number; body: string } }).payload;
    expect(payload.statusCode).toBe(200);
    const body = JSON.parse(payload.body) as { output: string; tool_calls: unknown[] };
    expect(body.output).toBe('Your kettle has shipped with DHL.');
    expect(body.tool_calls).toMatchObject([{ name: 'lookup-order', status: 'ok', output: { id: 'A-1001', status: 'shipped' } }]);
    const [sent] = sentToolResults(fake, before + 1);
    expect(sent?.is_error).toBeFalsy();
    expect(JSON.parse(sent!.content)).toMatchObject({ id: 'A-1001', status: 'shipped', carrier: 'DHL' });
  }, 120_000);
});
