/**
 * Escape attempts from inline code. Each must FAIL inside the sandbox: the
 * code reports what it managed, and the host checks what really happened.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type PooledSandbox } from '../../shared/sandbox/index.js';
import { requireCommand } from '../helpers/require-system.js';
import { MiB, markerEnv, processesWithMarker, runRequest, settleEmpty, sleep } from './sandbox-fixtures.js';

const LANGUAGES = ['python', 'javascript'] as const;
const projectFile = join(process.cwd(), 'package.json');

/** Code that tries to read `path` and prints READ:<first bytes> or DENIED:<error>. */
const readAttempt = {
  python: (path: string) =>
    `try:\n    print('READ:' + open(${JSON.stringify(path)}).read(40))\nexcept Exception as e:\n    print('DENIED:' + type(e).__name__)`,
  javascript: (path: string) =>
    `try { console.log('READ:' + require('fs').readFileSync(${JSON.stringify(path)}, 'utf8').slice(0, 40)); } catch (e) { console.log('DENIED:' + e.code); }`,
};

let sandbox: PooledSandbox;

beforeAll(async () => {
  requireCommand('bwrap');
  process.env.AGENTSPEC_ESCAPE_CANARY = 'canary-7f3e9b';
  sandbox = createSandbox({ poolSize: 1, maxProcesses: 32, logger: () => undefined });
  expect(sandbox.isolation).toEqual({ full: true, missing: [], mode: 'bubblewrap', seccomp: true });
  await sandbox.warm();
});

afterAll(async () => {
  delete process.env.AGENTSPEC_ESCAPE_CANARY;
  await sandbox?.close();
});

describe.each(LANGUAGES)('escape attempts in %s fail', (language) => {
  it('cannot read a file of the project tree by absolute path', async () => {
    // Act
    const result = await sandbox.run(runRequest(language, readAttempt[language](projectFile)));
    // Assess
    expect(result.stdout).toMatch(/^DENIED:/);
    expect(result.stdout).not.toContain('agentspec-runtime');
  });

  it('cannot read /etc/shadow', async () => {
    const result = await sandbox.run(runRequest(language, readAttempt[language]('/etc/shadow')));
    expect(result.stdout).toMatch(/^DENIED:/);
  });

  it("cannot see the host's home directory", async () => {
    const code =
      language === 'python'
        ? `import os\nprint(os.path.exists(${JSON.stringify(homedir())}) and os.listdir(${JSON.stringify(homedir())}))`
        : `const fs = require('fs'); console.log(String(fs.existsSync(${JSON.stringify(homedir())}) && fs.readdirSync(${JSON.stringify(homedir())})))`;
    const result = await sandbox.run(runRequest(language, code));
    // Only the interpreter's install dir may be bound under it (pyenv lives in the home here), nothing else.
    expect(result.stdout).not.toMatch(/\.bashrc|\.ssh|\.npm|\.cache/);
  });

  it("cannot read the parent's environment, directly or through /proc", async () => {
    // Prepare
    const code =
      language === 'python'
        ? `import os, json\nleaks = []\nfor p in os.listdir('/proc'):\n    try:\n        if b'canary-7f3e9b' in open('/proc/%s/environ' % p, 'rb').read(): leaks.append(p)\n    except Exception: pass\nprint(json.dumps({'env': dict(os.environ), 'leaks': leaks}))`
        : `const fs = require('fs'); const leaks = fs.readdirSync('/proc').filter((p) => { try { return fs.readFileSync('/proc/' + p + '/environ', 'latin1').includes('canary-7f3e9b'); } catch { return false; } }); console.log(JSON.stringify({ env: process.env, leaks }));`;
    // Act
    const result = await sandbox.run(runRequest(language, code, { env: { ONLY: 'this' } }));
    // Assess
    expect(JSON.parse(result.stdout)).toEqual({ env: { ONLY: 'this' }, leaks: [] });
  });

  describe('network', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.end('hello');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('cannot connect to a TCP server on 127.0.0.1', async () => {
      const code =
        language === 'python'
          ? `import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', ${port}), timeout=2)\n    print('CONNECTED:' + s.recv(10).decode())\nexcept Exception as e:\n    print('FAILED:' + type(e).__name__)`
          : `const s = require('net').connect(${port}, '127.0.0.1'); s.on('data', (d) => console.log('CONNECTED:' + d)); s.on('error', (e) => console.log('FAILED:' + e.code));`;
      const result = await sandbox.run(runRequest(language, code));
      expect(result.stdout).toMatch(/^FAILED:/);
      expect(connections).toBe(0);
    });
  });

  it('a fork bomb is bounded, ends with an error, and leaves nothing behind', async () => {
    // Prepare
    const env = markerEnv();
    const code =
      language === 'python'
        ? `import os\nwhile True:\n    os.fork()`
        : `require('child_process').spawn('/bin/sh', ['-c', 'f() { f | f & }; f; sleep 100'], { stdio: 'ignore' }); setTimeout(() => process.exit(3), 1500);`;
    // Act
    const result = await sandbox.run(runRequest(language, code, { env, timeoutMs: 3000 }));
    // Assess
    expect(result.exitCode === 0).toBe(false);
    expect(await settleEmpty(() => processesWithMarker(env.RUN_MARKER))).toEqual([]);
    const after = await sandbox.run(runRequest(language, language === 'python' ? 'print("fine")' : 'console.log("fine")'));
    expect(after.stdout.trim()).toBe('fine');
  });

  it('cannot allocate 4 GiB', async () => {
    const code =
      language === 'python'
        ? `chunks = [bytearray(64 << 20) for _ in range(64)]\nprint('ALLOCATED')`
        : `const chunks = []; for (let i = 0; i < 64; i++) chunks.push(Buffer.alloc(64 << 20, 1)); console.log('ALLOCATED');`;
    const result = await sandbox.run(runRequest(language, code, { memoryBytes: 64 * MiB }));
    expect(result.stdout).not.toContain('ALLOCATED');
    expect(result.exitCode === 0).toBe(false);
    expect(result.timedOut).toBe(false);
  });

  it('an infinite loop ends by timeout and its process is killed', async () => {
    const env = markerEnv();
    const code = language === 'python' ? 'while True: pass' : 'for (;;) {}';
    const result = await sandbox.run(runRequest(language, code, { env, timeoutMs: 800 }));
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(await settleEmpty(() => processesWithMarker(env.RUN_MARKER))).toEqual([]);
  });

  it('cannot write outside its working directory', async () => {
    // Prepare
    const targets = [join(process.cwd(), `escape-${language}.txt`), '/usr/escape.txt', '/escape.txt', '/etc/escape.txt', join(homedir(), 'escape.txt')];
    const code =
      language === 'python'
        ? `import json\nout = {}\nfor p in ${JSON.stringify([...targets, 'inside.txt'])}:\n    try:\n        open(p, 'w').write('x'); out[p] = 'WROTE'\n    except Exception as e:\n        out[p] = 'DENIED'\nprint(json.dumps(out))`
        : `const fs = require('fs'); const out = {}; for (const p of ${JSON.stringify([...targets, 'inside.txt'])}) { try { fs.writeFileSync(p, 'x'); out[p] = 'WROTE'; } catch { out[p] = 'DENIED'; } } console.log(JSON.stringify(out));`;
    // Act
    const result = await sandbox.run(runRequest(language, code));
    // Assess
    const outcome = JSON.parse(result.stdout) as Record<string, string>;
    for (const target of targets) {
      expect(outcome[target]).toBe('DENIED');
      expect(existsSync(target)).toBe(false);
    }
    expect(outcome['inside.txt']).toBe('WROTE'); // the working directory itself is writable
  });

  it('cannot leave a background process running after the call returns', async () => {
    // Prepare: a detached, double-forked child that would outlive a naive kill
    const env = markerEnv();
    const code =
      language === 'python'
        ? `import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(30)\n    os._exit(0)\nprint('parent done')`
        : `const c = require('child_process').spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' }); c.unref(); console.log('parent done');`;
    // Act
    const result = await sandbox.run(runRequest(language, code, { env }));
    // Assess: nothing carrying the call's env survives, now or a moment later
    expect(result.stdout.trim()).toBe('parent done');
    expect(await settleEmpty(() => processesWithMarker(env.RUN_MARKER))).toEqual([]);
    await sleep(500);
    expect(processesWithMarker(env.RUN_MARKER)).toEqual([]);
  });
});
