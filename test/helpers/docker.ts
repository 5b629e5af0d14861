/**
 * Docker for tests: checks the engine is up, and builds the offline base
 * images the Docker deployer's suites use (there is no registry access).
 * A base image is a minimal root filesystem made from this machine's own
 * Node (`process.execPath` and the libraries `ldd` lists), `/bin/sh`, a
 * non-root user and, for the python variant, Debian's python3 — imported
 * with `docker import` and cached by tag.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand } from './require-system.js';

export const TEST_BASE_IMAGE = 'agentspec-test/node:local';
export const TEST_PYTHON_BASE_IMAGE = 'agentspec-test/node-python:local';

/** Fails loudly when docker or a running engine is missing. */
export function requireDocker(): void {
  requireCommand('docker');
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe' });
  } catch {
    throw new Error('This suite needs a running Docker engine: run `bash scripts/provision.sh` as root.');
  }
}

function imageExists(tag: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', tag], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function librariesOf(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1] ?? '').filter(Boolean);
}

/** Builds (once) the offline base image: node, sh, a non-root user, and python3 when asked. */
export async function ensureBaseImage(options: { python?: boolean } = {}): Promise<string> {
  const tag = options.python ? TEST_PYTHON_BASE_IMAGE : TEST_BASE_IMAGE;
  if (imageExists(tag)) return tag;
  requireCommand('ldd');
  const root = await mkdtemp(join(tmpdir(), 'agentspec-rootfs-'));
  try {
    const files = new Set<string>(['/bin/sh', '/usr/bin/dash']);
    for (const lib of [...librariesOf(process.execPath), ...librariesOf('/usr/bin/dash')]) files.add(lib);
    if (options.python) {
      files.add('/usr/bin/python3.11');
      for (const lib of librariesOf('/usr/bin/python3.11')) files.add(lib);
    }
    const script = [
      'set -e',
      `cd "${root}"`,
      'mkdir -p usr/local/bin etc tmp app bin usr/bin lib64 lib/x86_64-linux-gnu',
      'chmod 1777 tmp',
      `cp "${process.execPath}" usr/local/bin/node`,
      ...[...files].map((f) => `cp -aL --parents "${f}" .`),
      'ln -sf dash bin/sh 2>/dev/null || true',
      'rm -f bin/sh && ln -s /usr/bin/dash bin/sh',
      ...(options.python
        ? ['cp -a --parents /usr/lib/python3.11 . && rm -rf usr/lib/python3.11/test usr/lib/python3.11/__pycache__', 'ln -sf python3.11 usr/bin/python3']
        : []),
      // mkdtemp makes the root 0700 (and --parents copies modes): open every directory to the non-root user
      'find . -type d -exec chmod a+rx {} +',
      'chmod 1777 tmp',
      `printf 'root:x:0:0:root:/root:/bin/sh\\nagentspec:x:10001:10001:agentspec:/app:/bin/sh\\n' > etc/passwd`,
      `printf 'root:x:0:\\nagentspec:x:10001:\\n' > etc/group`,
      `tar -C "${root}" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - ${tag} >/dev/null`,
    ].join('\n');
    execFileSync('sh', ['-c', script], { stdio: 'pipe' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return tag;
}

export const TEST_REDIS_IMAGE = 'agentspec-test/redis:local';

/**
 * Builds (once) an offline Redis image from this machine's own `redis-server`
 * and `redis-cli` and the libraries `ldd` lists (no registry to pull
 * `redis:7-alpine` from).
 */
export async function ensureRedisImage(): Promise<string> {
  if (imageExists(TEST_REDIS_IMAGE)) return TEST_REDIS_IMAGE;
  requireCommand('ldd');
  requireCommand('redis-server');
  requireCommand('redis-cli');
  const root = await mkdtemp(join(tmpdir(), 'agentspec-redis-rootfs-'));
  try {
    const libraries = new Set<string>([...librariesOf('/usr/bin/redis-server'), ...librariesOf('/usr/bin/redis-cli')]);
    const script = [
      'set -e',
      `cd "${root}"`,
      'mkdir -p usr/bin etc tmp data',
      // redis-server is a link to redis-check-rdb, which picks its role from argv[0]: copy the file under the link's name
      'cp -L /usr/bin/redis-server usr/bin/redis-server',
      'cp -L /usr/bin/redis-cli usr/bin/redis-cli',
      ...[...libraries].map((f) => `cp -aL --parents "${f}" .`),
      'find . -type d -exec chmod a+rx {} +',
      'chmod 1777 tmp',
      `printf 'root:x:0:0:root:/root:/bin/sh\\n' > etc/passwd`,
      `printf 'root:x:0:\\n' > etc/group`,
      `tar -C "${root}" -c . | docker import -c 'ENV PATH=/usr/bin' -c 'WORKDIR /data' - ${TEST_REDIS_IMAGE} >/dev/null`,
    ].join('\n');
    execFileSync('sh', ['-c', script], { stdio: 'pipe' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return TEST_REDIS_IMAGE;
}
