import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretFromExtension } from '../../functions/lib/secrets/secrets-extension.js';
import { SecretsManagerResolver } from '../../functions/lib/secrets/secrets-manager-resolver.js';
import { freePort } from '../helpers/free-port.js';

const TOKEN = 'session-token-xyz';

/** The extension's HTTP API as Lambda runs it on localhost: GET /secretsmanager/get?secretId=… with the session token header. */
async function startExtension(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<{ port: number; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers['x-aws-parameters-secrets-token'] ?? '-'}`);
    answer(req, res);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const envFor = (port: number) => ({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_SESSION_TOKEN: TOKEN });

describe('secretFromExtension', () => {
  it('reads the secret over localhost with the session token, string or binary', async () => {
    // Prepare
    const extension = await startExtension((req, res) => {
      const binary = req.url?.includes('bin');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          binary ? { Name: 'bin', SecretBinary: Buffer.from('bytes-value').toString('base64') } : { Name: 'app/key', SecretString: 'sk-from-extension' },
        ),
      );
    });
    servers.push(extension.server);
    // Act
    const value = await secretFromExtension('app/key', { env: envFor(extension.port) });
    const binary = await secretFromExtension('bin', { env: envFor(extension.port) });
    // Assess
    expect(value).toBe('sk-from-extension');
    expect(binary).toBe('bytes-value');
    expect(extension.requests[0]).toBe(`GET /secretsmanager/get?secretId=app%2Fkey ${TOKEN}`);
  });

  it('waits for an extension that is not listening yet', async () => {
    // Prepare: the retry delay on a fake clock, so the test sees a refused attempt before the extension listens
    const port = await freePort();
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    try {
      // Act: the first attempt is refused and a retry waits on the clock
      const secret = secretFromExtension('k', { env: envFor(port), readyWithinMs: 2000 });
      let settled = false;
      void secret.then(() => (settled = true));
      while (vi.getTimerCount() === 0 && !settled) await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      // then the extension listens, and the retry is due
      const extension = await startExtension((_req, res) => res.end(JSON.stringify({ SecretString: 'late-value' })), port);
      servers.push(extension.server);
      vi.advanceTimersToNextTimer();
      // Assess
      expect(await secret).toBe('late-value');
      expect(extension.requests).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives undefined, for the SDK to read the secret, when there is no extension, it never listens, or it answers an error', async () => {
    const failing = await startExtension((_req, res) => res.writeHead(400).end('ResourceNotFoundException'));
    servers.push(failing.server);
    const silent = await freePort();
    expect(await secretFromExtension('k', { env: {} })).toBeUndefined();
    expect(await secretFromExtension('k', { env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773' } })).toBeUndefined();
    expect(await secretFromExtension('k', { env: envFor(silent), readyWithinMs: 50 })).toBeUndefined();
    expect(await secretFromExtension('k', { env: envFor(failing.port) })).toBeUndefined();
  });
});

describe('SecretsManagerResolver with the extension', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => {
    sm.reset();
  });

  it('takes the value from the extension and never calls GetSecretValue', async () => {
    const extension = await startExtension((_req, res) => res.end(JSON.stringify({ SecretString: 'via-extension' })));
    servers.push(extension.server);
    const resolver = new SecretsManagerResolver({ extension: { env: envFor(extension.port) } });
    expect(await resolver.resolve({ source: 'store', key: 'anthropic' })).toBe('via-extension');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('falls back to GetSecretValue when the extension cannot answer', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'anthropic' }).resolves({ SecretString: 'via-sdk' });
    const resolver = new SecretsManagerResolver({ extension: { env: envFor(await freePort()), readyWithinMs: 30 } });
    expect(await resolver.resolve({ source: 'store', key: 'anthropic' })).toBe('via-sdk');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
