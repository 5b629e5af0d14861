/**
 * Inline code in a Docker container, on the real engine: a container has no
 * bubblewrap and, under Docker's default seccomp profile, could not create
 * the namespaces anyway, so the runtime in it starts, serves, reports the
 * refusal in /healthz and refuses every inline call with the reason — it
 * never runs inline code unisolated.
 */
import { dirname } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineCalcStatements } from '../helpers/inline-calc.js';
import { applyDeploy, destroyDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, requireDocker, TEST_PYTHON_BASE_IMAGE } from '../helpers/docker.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const CALC = `
${inlineCalcStatements()}`;

let fake: FakeAnthropic;
let port: number;
let op: PackageOperation;

beforeAll(async () => {
  requireDocker();
  await ensureBaseImage({ python: true });
  fake = await startFakeAnthropic();
  port = await freePort();
  const file = await writePackage({
    name: 'deploytest-inline',
    target: 'docker',
    port,
    deployLines: [`base_image "${TEST_PYTHON_BASE_IMAGE}"`],
    extraSource: CALC,
  });
  op = {
    file,
    deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
    secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'sk-test-inline' }) },
  };
}, 180_000);

afterAll(async () => {
  if (op) {
    await destroyDeploy({ dir: dirname(op.file), deployer: { removeImages: true } }).catch(() => undefined);
    await rm(dirname(op.file), { recursive: true, force: true });
  }
  await fake?.close();
});

describe('a docker deployment with an inline tool', () => {
  it('serves, reports that inline code is refused, and refuses the call with the reason', async () => {
    // Prepare
    const applied = await applyDeploy(op);
    fake.script({ toolUses: [{ name: 'double', input: { n: 21 } }] }, { text: 'The tool was refused.' });
    // Act
    const health = (await (await fetch(`${applied.state.endpoint}/healthz`)).json()) as { inline_code?: unknown };
    const invoked = await fetch(`${applied.state.endpoint}/v1/agents/calc/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'double 21' }),
    });
    const result = (await invoked.json()) as { output: string; tool_calls: unknown[] };
    // Assess
    expect(health.inline_code).toMatchObject({ mode: 'refused', missing: expect.arrayContaining([expect.stringContaining('bubblewrap')]) });
    expect(invoked.status).toBe(200);
    expect(result.output).toBe('The tool was refused.');
    expect(result.tool_calls).toEqual([expect.objectContaining({ name: 'double', status: 'error', error: expect.stringContaining('Inline code is refused') })]);
  }, 240_000);
});
