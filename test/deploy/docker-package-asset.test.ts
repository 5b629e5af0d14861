/**
 * The support example's MCP order server in a real Docker container: the
 * image carries the package asset (the server bundled with its npm
 * dependencies) in the runtime's working directory, so `node
 * orders-server.mjs` starts there, and a lookup through it reaches the
 * model. The example is copied beside a link to the project's node_modules
 * (what a package folder with its dependencies installed looks like) with
 * its docker block pointed at the offline test base image and a free port.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeploy, destroyDeploy, type ApplyResult, type PackageOperation } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { sentToolResults } from '../helpers/sent-tool-results.js';
import { ensureBaseImage, requireDocker, TEST_PYTHON_BASE_IMAGE } from '../helpers/docker.js';
import { freePort } from './helpers/deploy-package.js';

const EXAMPLE = resolve('examples/support');
const DOCKER_BLOCK = 'deploy "container" target "docker" {\n  port 8080\n';

let fake: FakeAnthropic;
let dir: string;
let op: PackageOperation;
let applied: ApplyResult;

beforeAll(async () => {
  requireDocker();
  // the example has an inline Python tool: the image takes python3 from the base
  await ensureBaseImage({ python: true });
  fake = await startFakeAnthropic();
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'agentspec-docker-asset-'));
  const source = readFileSync(join(EXAMPLE, 'agents.ias'), 'utf8');
  if (!source.includes(DOCKER_BLOCK)) throw new Error('examples/support/agents.ias no longer has the docker block this suite rewrites');
  writeFileSync(
    join(dir, 'agents.ias'),
    source.replace(DOCKER_BLOCK, `deploy "container" target "docker" {\n  port ${port}\n  base_image "${TEST_PYTHON_BASE_IMAGE}"\n`),
  );
  copyFileSync(join(EXAMPLE, 'orders-server.mjs'), join(dir, 'orders-server.mjs'));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  op = {
    file: join(dir, 'agents.ias'),
    target: 'container',
    deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
    secretResolvers: { env: new EnvSecretResolver({ ANTHROPIC_API_KEY: 'sk-test-docker-asset' }) },
  };
  applied = await applyDeploy(op);
}, 300_000);

afterAll(async () => {
  if (op) await destroyDeploy({ dir, target: 'container', deployer: { removeImages: true } }).catch(() => undefined);
  // removes the link to node_modules, not what it points at
  if (dir) rmSync(dir, { recursive: true, force: true });
  await fake?.close();
});

describe('the support example in a docker container', () => {
  it('runs the runtime in the package folder, which holds only the bundled server', () => {
    const container = String(applied.state.ids.container);
    const listed = execFileSync(
      'docker',
      ['exec', container, 'node', '-e', 'process.stdout.write(JSON.stringify([process.cwd(), require("fs").readdirSync(".")]))'],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(listed)).toEqual(['/app/package', ['orders-server.mjs']]);
  });

  it('looks an order up through the MCP server in the container, and the tool result reaches the model', async () => {
    // Prepare
    fake.script({ toolUses: [{ name: 'lookup-order', input: { order_id: 'A-1001' } }] }, { text: 'Your kettle has shipped with DHL.' });
    const before = fake.requests.length;
    // Act
    const invoked = await fetch(`${applied.state.endpoint}/v1/agents/support-bot/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Where is my order A-1001?' }),
    });
    const result = (await invoked.json()) as { output: string; tool_calls: unknown[] };
    // Assess
    expect(invoked.status).toBe(200);
    expect(result.output).toBe('Your kettle has shipped with DHL.');
    expect(result.tool_calls).toMatchObject([{ name: 'lookup-order', status: 'ok', output: { id: 'A-1001', status: 'shipped' } }]);
    const [sent] = sentToolResults(fake, before + 1);
    expect(sent?.is_error).toBeFalsy();
    expect(JSON.parse(sent!.content)).toMatchObject({ id: 'A-1001', carrier: 'DHL' });
  }, 120_000);
});
