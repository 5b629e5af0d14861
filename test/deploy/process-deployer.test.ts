import { expect } from 'vitest';
import { startToken } from '../../local/deploy/process/process-control.js';
import { runDeployerContract } from './deployer.contract.js';
import { killByHand } from './helpers/kill-by-hand.js';

runDeployerContract('process', {
  target: 'process',
  deployer: (fakeUrl) => ({ env: { ANTHROPIC_BASE_URL: fakeUrl } }),
  identity: (ids) => ids.pid,
  // the proof destroy needs before it signals the pid
  inspect: async (state) => {
    expect(state.ids.pid_start).toBe(startToken(Number(state.ids.pid)));
  },
  // killed by hand: diff reports the recorded process missing
  tamper: async (state) => {
    await killByHand(Number(state.ids.pid));
    return 'process';
  },
});
