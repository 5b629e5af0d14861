import { describe, expect, it } from 'vitest';
import { whileWaiting } from '../../functions/lib/while-waiting.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('whileWaiting: INIT work during a pending read', () => {
  it('runs the work to its end while the read is pending, then gives both results', async () => {
    // Prepare
    const read = deferred<string>();
    const steps: string[] = [];
    // Act
    const both = whileWaiting(
      read.promise,
      async () => {
        steps.push('work started');
        await tick();
        steps.push('work done');
        return 42;
      },
      async () => undefined,
    );
    await tick();
    await tick();
    steps.push('read answered');
    read.resolve('secret');
    // Assess
    expect(await both).toEqual(['secret', 42]);
    expect(steps).toEqual(['work started', 'work done', 'read answered']);
  });

  it("raises a failed read's error once the work is done, and discards what the work made", async () => {
    // Prepare: the read fails before the work ends
    const work = deferred<{ name: string }>();
    const discarded: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Act
      const both = whileWaiting(
        Promise.reject(new Error('no such secret')),
        () => work.promise,
        async (made) => {
          discarded.push(made.name);
        },
      );
      await tick();
      expect(discarded).toEqual([]);
      work.resolve({ name: 'runtime' });
      // Assess
      await expect(both).rejects.toThrow('no such secret');
      expect(discarded).toEqual(['runtime']);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("raises the work's error when the read succeeds, with nothing to discard", async () => {
    const discarded: unknown[] = [];
    const both = whileWaiting(
      Promise.resolve('secret'),
      async () => Promise.reject(new Error('bad IR')),
      async (made) => {
        discarded.push(made);
      },
    );
    await expect(both).rejects.toThrow('bad IR');
    expect(discarded).toEqual([]);
  });

  it("waits for the read when the work throws before returning its promise, and raises the read's error", async () => {
    const read = deferred<string>();
    const both = whileWaiting(
      read.promise,
      () => {
        throw new Error('thrown at once');
      },
      async () => undefined,
    );
    read.reject(new Error('late read failure'));
    await expect(both).rejects.toThrow('late read failure');
  });

  it("raises the read's error when both fail", async () => {
    const both = whileWaiting(
      Promise.reject(new Error('no such secret')),
      async () => Promise.reject(new Error('bad IR')),
      async () => undefined,
    );
    await expect(both).rejects.toThrow('no such secret');
  });

  it("still raises the read's error when discarding fails", async () => {
    const both = whileWaiting(
      Promise.reject(new Error('no such secret')),
      async () => 'runtime',
      async () => Promise.reject(new Error('close failed')),
    );
    await expect(both).rejects.toThrow('no such secret');
  });
});
