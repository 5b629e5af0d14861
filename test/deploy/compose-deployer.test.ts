import { execFileSync } from 'node:child_process';
import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { runDeployerContract } from './deployer.contract.js';

runDeployerContract('docker-compose (runtime service only)', {
  target: 'docker-compose',
  deployLines: [`base_image "${TEST_BASE_IMAGE}"`],
  deployer: (fakeUrl) => ({ env: { ANTHROPIC_BASE_URL: fakeUrl } }),
  identity: (ids) => ids.container,
  // a rollback runs the recorded image, never a rebuild
  artifact: (ids) => ids.image,
  tamper: (state) => {
    // the runtime service stopped by hand: the restart policy does not bring it back, diff must say so
    const id = String(state.ids.container);
    execFileSync('docker', ['stop', '-t', '1', id], { stdio: 'pipe' });
    return Promise.resolve(`container ${id.slice(0, 12)}`);
  },
  beforeAll: async () => {
    requireDocker();
    await ensureBaseImage();
  },
  timeoutMs: 180_000,
});
