/**
 * Where the process deployer keeps one target's files: `.agentspec/<target>.*`
 * beside the state file. `ir` is the IR the serving version runs; a new
 * version's IR goes to `next` and replaces it only once that version is
 * healthy, so a failed apply can restart the previous version from `ir`.
 */
import { join } from 'node:path';

export interface ProcessFiles {
  dir: string;
  ir: string;
  next: string;
  log: string;
  pid: string;
}

/** The files of target `name` under package directory `workdir`. */
export function processFiles(workdir: string, name: string): ProcessFiles {
  const dir = join(workdir, '.agentspec');
  return {
    dir,
    ir: join(dir, `${name}.ir.json`),
    next: join(dir, `${name}.ir.next.json`),
    log: join(dir, `${name}.log`),
    pid: join(dir, `${name}.pid`),
  };
}
