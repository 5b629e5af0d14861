/** `dev` hot reload in process: a valid edit swaps the runtime (keeping sessions), an invalid one keeps the previous package serving. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/dev/local-server.js';
import { compile } from '../../shared/lang/index.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';

const pkg = (agents: string[]) => `package "hot" version "1.0.0" lang "2.0"\n${agents.map((a) => `agent "${a}" {\n  model "claude-haiku-4-5"\n}\n`).join('')}`;

const answer: ModelProvider = {
  async *stream() {
    yield { type: 'text', text: 'hi' };
    yield { type: 'stop', reason: 'end_turn' };
  },
};

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startLocalServer with watch', () => {
  let dir: string;
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads a valid edit, and keeps serving the previous package after an invalid one; /healthz names the package served', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'agentspec-dev-'));
    const file = join(dir, 'agents.ias');
    await writeFile(file, pkg(['alpha']));
    const out: string[] = [];
    const err: string[] = [];
    server = await startLocalServer({
      file,
      watch: true,
      port: 0,
      apiKeys: false,
      logger: SILENT_LOGGER,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      compose: { providerFor: () => answer },
      retireAfterMs: 10,
    });
    const names = async () => ((await (await fetch(`${server!.url}/v1/agents`)).json()) as { agents: { name: string }[] }).agents.map((a) => a.name);
    const health = async () => (await (await fetch(`${server!.url}/healthz`)).json()) as Record<string, unknown>;
    const served = (agents: string[]) => ({ package: { name: 'hot', version: '1.0.0' }, ir_hash: compile(pkg(agents), { file: 'agents.ias' }).ir!.hash });
    expect(await names()).toEqual(['alpha']);
    expect(await health()).toMatchObject({ status: 'ok', agents: 1, ...served(['alpha']) });
    expect(out.join('\n')).toContain(`POST ${server.url}/v1/agents/alpha/invoke`);
    const created = (await (await fetch(`${server.url}/v1/agents/alpha/sessions`, { method: 'POST' })).json()) as { session_id: string };

    // Act: a valid edit
    await writeFile(file, pkg(['alpha', 'beta']));
    // Assess
    expect(await until(names, (n) => n.length === 2)).toEqual(['alpha', 'beta']);
    expect(await health()).toMatchObject({ agents: 2, ...served(['alpha', 'beta']) });
    expect(out.join('\n')).toContain('Reloaded');
    expect((await fetch(`${server.url}/v1/agents/alpha/sessions/${created.session_id}`)).status).toBe(200);

    // Act: an invalid edit
    await writeFile(file, 'package "hot" version "1.0.0" lang "2.0"\nagent "gamma" {\n  model 42\n');
    // Assess
    await until(
      async () => err.join('\n'),
      (e) => e.includes('Reload of'),
    );
    expect(err.join('\n')).toContain('the previous package keeps serving');
    expect(err.join('\n')).toMatch(/agents\.ias/);
    expect(await names()).toEqual(['alpha', 'beta']);
    expect(await health()).toMatchObject(served(['alpha', 'beta']));
    const invoked = await fetch(`${server.url}/v1/agents/beta/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(await invoked.json()).toMatchObject({ output: 'hi' });
  });

  it('fails to start on a package that does not validate, naming the problem', async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentspec-dev-'));
    const file = join(dir, 'bad.ias');
    await writeFile(file, 'package "x" version "1.0.0" lang "2.0"\nagent "a" {\n');
    await expect(startLocalServer({ file, port: 0, apiKeys: false, logger: SILENT_LOGGER, out: () => {}, err: () => {} })).rejects.toMatchObject({
      code: 'validation_error',
      message: expect.stringContaining('bad.ias is not valid'),
    });
  });
});
