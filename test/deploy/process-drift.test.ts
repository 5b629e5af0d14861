/**
 * Drift of the process target from what it is told: a process of ours that
 * serves another IR than recorded, a recorded pid that is a zombie or
 * another process, and the runtime's files gone. A small HTTP server stands
 * in for the runtime's /healthz.
 */
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processDrift, type DriftInput } from '../../local/deploy/process/process-drift.js';
import { processFiles } from '../../local/deploy/process/process-files.js';
import type { TargetState } from '../../local/deploy/types.js';
import { freePort } from './helpers/deploy-package.js';

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentspec-drift-'));
  port = await freePort();
  server = createServer((_request, response) => response.setHeader('content-type', 'application/json').end(JSON.stringify({ ir_hash: 'b'.repeat(64) })));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function input(overrides: Partial<DriftInput>): DriftInput {
  const state: TargetState = {
    target: 'main',
    kind: 'process',
    ir_hash: 'a'.repeat(64),
    endpoint: `http://127.0.0.1:${port}`,
    ids: { pid: 4242, pid_start: '1@boot' },
    fingerprints: {},
    applied_at: new Date().toISOString(),
  };
  return {
    state,
    recorded: { pid: 4242, start: '1@boot' },
    standing: 'ours',
    host: '127.0.0.1',
    port,
    files: processFiles(dir, 'main'),
    workdir: dir,
    ...overrides,
  };
}

describe('process target drift', () => {
  it('reports our process serving another IR hash than recorded, and the missing log and IR files', async () => {
    const drift = await processDrift(input({}));
    expect(drift).toEqual([
      { resource: 'ir', expected: 'a'.repeat(64), actual: 'b'.repeat(64) },
      { resource: 'log', expected: join('.agentspec', 'main.log'), actual: 'missing' },
      { resource: 'ir_file', expected: join('.agentspec', 'main.ir.json'), actual: 'missing' },
    ]);
  });

  it('reports a zombie and a reused pid as the process, and the port another process serves', async () => {
    const files = processFiles(dir, 'main');
    await mkdir(files.dir, { recursive: true });
    await writeFile(files.log, '');
    await writeFile(files.ir, '{}');
    const zombie = await processDrift(input({ standing: 'zombie' }));
    const other = await processDrift(input({ standing: 'other' }));
    expect(zombie).toEqual([
      { resource: 'process', expected: 'pid 4242 running', actual: 'exited (pid 4242 is a zombie)' },
      { resource: 'port', expected: `${port} free or served by the recorded process`, actual: `${port} served by another process` },
    ]);
    expect(other[0]).toEqual({ resource: 'process', expected: 'pid 4242 running', actual: 'pid 4242 now belongs to another process' });
  });
});
