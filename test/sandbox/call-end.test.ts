/**
 * How a call ends, end to end under bubblewrap: the bootstrap's reported
 * status ends it with every byte of output, exit handlers included; code that
 * ends its interpreter past the bootstrap (os._exit, a signal, a fatal
 * exception) is still reported by its real exit code or signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type PooledSandbox } from '../../shared/sandbox/index.js';
import { requireCommand } from '../helpers/require-system.js';
import { MiB, runRequest } from './sandbox-fixtures.js';

let sandbox: PooledSandbox;

beforeAll(async () => {
  requireCommand('bwrap');
  sandbox = createSandbox({ poolSize: 1, maxOutputBytes: 2 * MiB, logger: () => undefined });
  await sandbox.warm();
});

afterAll(async () => {
  await sandbox?.close();
});

const LINE = 'y'.repeat(99);

describe.each(['python', 'javascript'] as const)('a %s call', (language) => {
  it('keeps every byte written before an explicit exit, exit handlers included', async () => {
    // Prepare: 300 KB, more than the output socket holds, then output from an exit handler
    const code =
      language === 'python'
        ? `import atexit, sys\nfor _ in range(3000): print(${JSON.stringify(LINE)})\natexit.register(lambda: print('bye'))\nsys.exit(3)`
        : `for (let i = 0; i < 3000; i++) console.log(${JSON.stringify(LINE)}); process.on('exit', () => console.log('bye')); process.exit(3);`;
    // Act
    const result = await sandbox.run(runRequest(language, code));
    // Assess
    expect(result).toMatchObject({ exitCode: 3, signal: null, truncated: false });
    expect(result.stdout).toBe(`${LINE}\n`.repeat(3000) + 'bye\n');
  });

  it('reports an exit code above 128 as an exit code, not as the signal bubblewrap would encode', async () => {
    const result = await sandbox.run(runRequest(language, language === 'python' ? `import sys\nsys.exit(137)` : `process.exit(137)`));
    expect(result).toMatchObject({ exitCode: 137, signal: null });
  });

  it('reports the signal of code that kills its own interpreter', async () => {
    const code =
      language === 'python'
        ? `import os, signal\nprint('before', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)`
        : `console.log('before'); process.kill(process.pid, 'SIGTERM');`;
    const result = await sandbox.run(runRequest(language, code));
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', stdout: 'before\n', timedOut: false });
  });
});

describe('code that skips the bootstrap', () => {
  it('still yields its exit code (python os._exit)', async () => {
    const result = await sandbox.run(runRequest('python', `import os\nprint('partial', flush=True)\nos._exit(7)`));
    expect(result).toMatchObject({ exitCode: 7, signal: null, stdout: 'partial\n' });
  });

  it('still yields exit 1 with the message for an unhandled rejection (javascript)', async () => {
    const result = await sandbox.run(runRequest('javascript', `console.log('started'); Promise.reject(new Error('rejected-in-sandbox'))`));
    expect(result).toMatchObject({ exitCode: 1, signal: null, stdout: 'started\n' });
    expect(result.stderr).toContain('rejected-in-sandbox');
  });
});
