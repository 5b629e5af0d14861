/**
 * Runs of `dev`/`serve` servers kept in the run store their environment
 * names: with `REDIS_URL` (a real redis-server), a run invoked on one server
 * is read, with its status, result and event log, from a second server on
 * the same Redis; and a hot reload keeps the runs a server recorded.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/dev/local-server.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const pkg = (prompt: string) => `package "durable" version "1.0.0" lang "2.0"
prompt "p" {
  content "${prompt}"
}
agent "alpha" {
  uses prompt "p"
  model "claude-haiku-4-5"
}
`;

const answer: ModelProvider = {
  async *stream() {
    yield { type: 'text', text: 'kept' };
    yield { type: 'stop', reason: 'end_turn' };
  },
};

let redis: RedisServer;
let dir: string;
const servers: LocalServer[] = [];

async function serve(): Promise<LocalServer> {
  const server = await startLocalServer({
    file: join(dir, 'agents.ias'),
    port: 0,
    apiKeys: false,
    logger: SILENT_LOGGER,
    out: () => {},
    err: () => {},
    compose: { providerFor: () => answer },
    retireAfterMs: 10,
  });
  servers.push(server);
  return server;
}

async function invoke(server: LocalServer): Promise<string> {
  const response = await fetch(`${server.url}/v1/agents/alpha/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'hello' }),
  });
  expect(response.status).toBe(200);
  await response.body?.cancel();
  return response.headers.get('x-run-id') ?? '';
}

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'agentspec-dev-runs-'));
  await writeFile(join(dir, 'agents.ias'), pkg('You answer briefly.'));
}, 30_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const server of servers) await server.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('runs of local servers', () => {
  it('with REDIS_URL: a run invoked on one server is read, with its events, from a second server on the same Redis', async () => {
    // Prepare
    vi.stubEnv('REDIS_URL', redis.url);
    const first = await serve();
    const second = await serve();
    vi.unstubAllEnvs();
    // Act
    const id = await invoke(first);
    const run = await fetch(`${second.url}/v1/runs/${id}`);
    const events = await fetch(`${second.url}/v1/runs/${id}/events`);
    // Assess
    expect(id).not.toBe('');
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ run_id: id, kind: 'invoke', target: 'alpha', status: 'succeeded', result: { output: 'kept' } });
    const text = await events.text();
    expect(text.startsWith(`event: run\ndata: {"run_id":"${id}"}\nid: 1\n`)).toBe(true);
    expect(text).toContain('event: done');
  });

  it('keeps the runs it recorded across a hot reload', async () => {
    // Prepare
    const server = await serve();
    const id = await invoke(server);
    await writeFile(join(dir, 'agents.ias'), pkg('You answer very briefly.'));
    // Act
    const reloaded = await server.reload();
    const run = await fetch(`${server.url}/v1/runs/${id}`);
    // Assess
    expect(reloaded).toBe(true);
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ run_id: id, status: 'succeeded' });
  });
});
