/**
 * A server listening on 0.0.0.0 inside a container whose port is published
 * on the host's loopback (the docker target's bridge network): it judges
 * authentication by the published address, so it starts without keys, says
 * where it is reachable, keeps the loopback guard, and still refuses a port
 * published beyond loopback without keys.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../local/server.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The status of a GET sent with the given `Host` header (fetch cannot set one). */
const statusWithHost = (port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/agents', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });

const options = (publishedHost: string, notices: string[]) => ({
  runtime: () => new FakeRuntime(),
  host: '0.0.0.0',
  publishedHost,
  port: 0,
  apiKeys: false as const,
  logger: SILENT_LOGGER,
  notice: (line: string) => notices.push(line),
});

describe('a server published on loopback', () => {
  it('starts without keys and names both addresses, with no unauthenticated-access warning', async () => {
    const notices: string[] = [];
    const server = await startServer(options('127.0.0.1', notices));
    servers.push(server);
    expect(notices.join('\n')).toContain('serving on 0.0.0.0, published on loopback 127.0.0.1 only, without authentication');
    expect(notices.join('\n')).not.toContain('WITHOUT authentication');
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });

  it('keeps the loopback guard: a request addressed to another name is forbidden', async () => {
    const server = await startServer(options('127.0.0.1', []));
    servers.push(server);
    expect(await statusWithHost(server.port, 'rebound.example')).toBe(403);
    expect(await statusWithHost(server.port, `127.0.0.1:${server.port}`)).toBe(200);
  });

  it('refuses to start without keys when the port is published beyond loopback', async () => {
    await expect(startServer(options('0.0.0.0', []))).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('Refusing to serve on 0.0.0.0 without API keys'),
    });
  });
});
