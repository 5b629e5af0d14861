/**
 * A separate process competing for the deploy lock, for the cross-process
 * race test. Reads commands on stdin, one per line, answers one line each:
 * `go <dir>` → `won` or `lost <error code>` (and keeps what it won);
 * `release` → `released`. Prints `ready` first.
 */
import { createInterface } from 'node:readline';
import { acquireLock, type StateLock } from '../../../local/deploy/state-lock.js';
import { isAgentSpecError } from '../../../shared/errors.js';

let held: StateLock | undefined;
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const space = line.indexOf(' ');
  const [command, argument] = space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
  if (command === 'go') {
    try {
      held = await acquireLock(argument);
      process.stdout.write('won\n');
    } catch (error) {
      process.stdout.write(`lost ${isAgentSpecError(error) ? error.code : String(error)}\n`);
    }
  } else if (command === 'release') {
    await held?.release();
    held = undefined;
    process.stdout.write('released\n');
  }
}
