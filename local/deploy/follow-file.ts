/** Reads a log file as lines, optionally following it like `tail -f`. */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogOptions } from './types.js';

/**
 * The lines of `path`; with `sinceMs`, only JSON lines whose `time`/`ts`
 * field is recent enough (other lines are kept: they carry no time).
 * With `follow`, keeps yielding appended lines until `signal` aborts.
 */
export async function* followFile(path: string, options: LogOptions): AsyncGenerator<string> {
  const since = options.sinceMs === undefined ? undefined : Date.now() - options.sinceMs;
  let offset = 0;
  let rest = '';
  for (;;) {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size < offset) offset = 0; // truncated or replaced
    if (size > offset) {
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(size - offset);
        await handle.read(buffer, 0, buffer.length, offset);
        offset = size;
        const lines = (rest + buffer.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (recent(line, since)) yield line;
      } finally {
        await handle.close();
      }
    }
    if (!options.follow || options.signal?.aborted) break;
    await sleep(200, undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal?.aborted) break;
  }
  if (rest && recent(rest, since)) yield rest;
}

function recent(line: string, since: number | undefined): boolean {
  if (since === undefined || !line.startsWith('{')) return true;
  try {
    const record = JSON.parse(line) as { time?: unknown; ts?: unknown; timestamp?: unknown };
    const stamp = record.time ?? record.ts ?? record.timestamp;
    const at = typeof stamp === 'number' ? stamp : typeof stamp === 'string' ? Date.parse(stamp) : NaN;
    return Number.isNaN(at) || at >= since;
  } catch {
    return true;
  }
}
