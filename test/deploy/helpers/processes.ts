/**
 * Processes for the identity tests: a pid that has certainly exited, a live
 * process we did not start as a runtime, and a zombie (a child that exited
 * and whose parent never reaps it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { procStat } from '../../../local/deploy/process/process-control.js';

/** The pid of a process that has certainly exited. */
export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

export interface TestProcess {
  pid: number;
  /** its start token, as the runtime records it */
  start: string;
  /** ends it (and, for a zombie, its parent, so that init reaps it) */
  dispose(): void;
}

/** A live `sleep` that is no runtime of ours. */
export function unrelatedProcess(): TestProcess {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  return described(child, child.pid ?? 0);
}

/**
 * A zombie: `sh` starts `sleep 0` in the background, prints its pid, then
 * becomes `sleep 120` by exec — a parent that never waits. Only the child
 * keeps pipe 3 open, so the pipe's end is the child's exit; resolves once
 * `/proc` then shows it in state Z (the kernel marks it right after it
 * closes its files).
 */
export async function zombieProcess(): Promise<TestProcess> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec 3>&-; exec sleep 120'], { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  const exited = once(parent.stdio[3]!, 'close');
  const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
  const pid = Number(line);
  await exited;
  while (procStat(pid)?.state !== 'Z') {
    if (procStat(pid) === undefined) throw new Error(`pid ${pid} was reaped: its parent is not the never-waiting sleep`);
    await new Promise((r) => setImmediate(r));
  }
  return described(parent, pid);
}

function described(owner: ChildProcess, pid: number): TestProcess {
  const start = procStat(pid)?.start;
  if (!start) throw new Error(`no /proc entry for pid ${pid}`);
  return { pid, start, dispose: () => owner.kill('SIGKILL') };
}
