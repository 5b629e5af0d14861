/** Killing a deployed runtime behind the deployer's back, as a user with `kill -9` would. */
import { setTimeout as sleep } from 'node:timers/promises';
import { procStat } from '../../../local/deploy/process/process-control.js';

/** SIGKILLs the runtime's process group and resolves once its pid is gone (reaped, not even a zombie). */
export async function killByHand(pid: number): Promise<void> {
  process.kill(-pid, 'SIGKILL');
  while (procStat(pid) !== undefined) await sleep(20);
}
