/**
 * The warm pool's bookkeeping with stand-in processes: a close() is an
 * ordered shutdown, never counted as processes dying before use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxProcess } from '../../shared/sandbox/sandbox-process.js';
import { WarmPool } from '../../shared/sandbox/warm-pool.js';

const root = mkdtempSync(join(tmpdir(), 'agentspec-warm-pool-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in interpreter that says ready and waits. */
function standIn(): Promise<SandboxProcess> {
  return Promise.resolve(
    new SandboxProcess({ command: '/bin/sh', args: ['-c', 'printf R >&3; exec sleep 60'], cwd: root, workdir: null, cgroupDir: null, namespaced: false }),
  );
}

describe('WarmPool', () => {
  it('does not give up on a key when close() kills its idle processes', async () => {
    // Prepare: more idle processes of one key than the give-up threshold
    const givenUp: string[] = [];
    const pool = new WarmPool(4, 2, standIn, (key) => givenUp.push(key));
    pool.fill('python');
    await pool.settled();
    expect(pool.stats().idle).toBe(4);
    // Act
    await pool.close();
    // Assess
    expect(givenUp).toEqual([]);
    expect(pool.stats()).toMatchObject({ idle: 0, spawned: 4 });
  });

  it('still gives up on a key whose idle processes keep dying before they are ready while it is open', async () => {
    const dying = () =>
      Promise.resolve(new SandboxProcess({ command: '/bin/sh', args: ['-c', 'exit 1'], cwd: root, workdir: null, cgroupDir: null, namespaced: false }));
    let spawned = 0;
    const givenUp = await new Promise<string>((resolve) => {
      const pool = new WarmPool(
        1,
        2,
        () => (spawned++, dying()),
        (key) => void pool.close().then(() => resolve(key)),
      );
      pool.fill('python');
    });
    expect(givenUp).toBe('python');
    expect(spawned).toBe(3);
  });
});
