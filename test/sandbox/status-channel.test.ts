/**
 * The host end of fd 3: ready on `R`, the exit status on `S<n>\n`, and no
 * status (so the host waits for the process's exit) for anything else.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StatusChannel } from '../../shared/sandbox/status-channel.js';

function channel(): { pipe: PassThrough; status: StatusChannel } {
  const pipe = new PassThrough();
  return { pipe, status: new StatusChannel(pipe) };
}

describe('StatusChannel', () => {
  it('is ready on R and reports the status that follows, even split across chunks', async () => {
    // Prepare
    const { pipe, status } = channel();
    // Act
    pipe.write('R');
    await status.ready;
    pipe.write('S4');
    pipe.write('2\n');
    // Assess
    expect(status.isReady).toBe(true);
    expect(await status.status).toBe(42);
  });

  it('reads ready and status arriving in one chunk (a cold start handed its code before it was ready)', async () => {
    const { pipe, status } = channel();
    pipe.write('RS3\n');
    expect(await status.status).toBe(3);
    expect(status.isReady).toBe(true);
  });

  it('reports no status when the channel closes without one', async () => {
    const { pipe, status } = channel();
    pipe.write('R');
    pipe.end();
    expect(await status.status).toBeNull();
  });

  it('resolves ready without being ready when the process dies before saying so', async () => {
    const { status } = channel();
    status.close();
    await status.ready;
    expect(status.isReady).toBe(false);
    expect(await status.status).toBeNull();
  });

  it('takes no status from malformed or oversized text the code may write on fd 3', async () => {
    // Prepare
    const cases = ['RSx\n', 'RS1234\n', 'R' + 'z'.repeat(100) + 'S0\n', 'S0\n'];
    for (const text of cases) {
      const { pipe, status } = channel();
      // Act
      pipe.end(text);
      // Assess
      expect(await status.status, text).toBeNull();
    }
  });

  it('keeps the first status when more follows', async () => {
    const { pipe, status } = channel();
    pipe.end('RS7\nS9\n');
    expect(await status.status).toBe(7);
  });
});
