/**
 * Starts Debian's `redis-server` on a random loopback port, without
 * persistence, for tests. `stop()` kills it.
 */
import { spawn } from 'node:child_process';
import { freePort } from './free-port.js';
import { requireCommand } from './require-system.js';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A fresh redis-server on 127.0.0.1:<random>. */
export async function startRedis(): Promise<RedisServer> {
  requireCommand('redis-server');
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}: ${out}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
