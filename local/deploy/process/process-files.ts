/** Where the process deployer keeps one target's files: `.agentspec/<target>.*` beside the state file. */
import { join } from 'node:path';

export interface ProcessFiles {
  dir: string;
  ir: string;
  log: string;
  pid: string;
}

/** The files of target `name` under package directory `workdir`. */
export function processFiles(workdir: string, name: string): ProcessFiles {
  const dir = join(workdir, '.agentspec');
  return { dir, ir: join(dir, `${name}.ir.json`), log: join(dir, `${name}.log`), pid: join(dir, `${name}.pid`) };
}
