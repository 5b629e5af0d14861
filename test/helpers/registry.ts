/**
 * A real image registry for tests: Debian's `docker-registry` (Distribution
 * v2) serving on a free loopback port, which the engine reaches without
 * TLS, with its storage in a temporary folder, deletes enabled, and with
 * `users` an htpasswd (bcrypt) file that makes every request authenticate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort } from './free-port.js';
import { requireCommand } from './require-system.js';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the host part of image references */
  host: string;
  /** the digest the registry serves for `repository:reference`, or undefined (404) */
  digestOf(repository: string, reference: string): Promise<string | undefined>;
  /** deletes a manifest by digest, as a registry's garbage policy would */
  deleteManifest(repository: string, digest: string): Promise<void>;
  close(): Promise<void>;
}

const ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

/** Starts a registry; with `users`, only they may pull and push. */
export async function startRegistry(options: { users?: Record<string, string> } = {}): Promise<TestRegistry> {
  requireCommand('docker-registry');
  const dir = await mkdtemp(join(tmpdir(), 'agentspec-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth = options.users ? `auth:\n  htpasswd:\n    realm: agentspec-test\n    path: ${join(dir, 'htpasswd')}\n` : '';
  if (options.users)
    await writeFile(
      join(dir, 'htpasswd'),
      Object.entries(options.users)
        .map(([user, password]) => `${user}:${bcrypt.hashSync(password, 4)}\n`)
        .join(''),
    );
  await writeFile(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  await listening(child, host);
  const basic = options.users ? Object.entries(options.users)[0] : undefined;
  const headers = (): Record<string, string> => ({
    accept: ACCEPT,
    ...(basic ? { authorization: `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}` } : {}),
  });
  return {
    host,
    async digestOf(repository, reference) {
      const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, { method: 'GET', headers: headers() });
      await response.arrayBuffer();
      return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async deleteManifest(repository, digest) {
      const response = await fetch(`http://${host}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', headers: headers() });
      if (!response.ok) throw new Error(`deleting ${repository}@${digest}: HTTP ${response.status}`);
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when the registry logs that it listens; rejects with its output if it exits first. */
function listening(child: ChildProcess, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening on ${host}`)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`docker-registry exited (${String(code)}) before listening:\n${output}`)));
  });
}
