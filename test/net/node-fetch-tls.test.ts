/** nodeFetch over HTTPS, with a certificate made by openssl for the test (an integration suite: it needs the openssl command). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTlsServer, globalAgent as httpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../shared/net/node-fetch.js';
import { requireCommand } from '../helpers/require-system.js';
import { startServer } from '../llm/scripted-http-server.js';

describe('nodeFetch over TLS', () => {
  let dir: string;
  let tls: Awaited<ReturnType<typeof startServer>>;
  let previousCa: unknown;
  beforeAll(async () => {
    requireCommand('openssl', 'install it with `apt-get install openssl`');
    dir = mkdtempSync(join(tmpdir(), 'node-fetch-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    tls = await startServer(createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }));
    // the global HTTPS agent, which the transport uses, trusts the test's own certificate authority
    previousCa = httpsAgent.options.ca;
    httpsAgent.options.ca = cert;
  });
  afterAll(async () => {
    httpsAgent.options.ca = previousCa as typeof httpsAgent.options.ca;
    await tls.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks HTTPS through the global keep-alive agent', async () => {
    for (let i = 0; i < 2; i++) expect(await (await nodeFetch(`${tls.url}/secure`, { method: 'POST', body: 'x' })).text()).toBe('ok');
    expect(tls.seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual(['POST /secure x', 'POST /secure x']);
    expect(tls.connections()).toBe(1);
  });
});
