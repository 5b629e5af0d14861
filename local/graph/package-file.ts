/**
 * Which file `agentspec graph` reads: the path itself, or for a directory
 * the one `.ias` file directly inside it. A directory holding none or
 * several is an `input_error` naming what it found.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';

export async function packageFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return path;
  const entries = await readdir(path, { withFileTypes: true });
  const sources = entries.filter((e) => e.isFile() && e.name.endsWith('.ias')).map((e) => e.name);
  if (sources.length === 1) return join(path, sources[0]!);
  if (sources.length === 0) throw new AgentSpecError(ErrorCode.InputError, `${path} holds no .ias file.`);
  throw new AgentSpecError(ErrorCode.InputError, `${path} holds several .ias files (${sources.sort().join(', ')}); pass the one to graph.`);
}
