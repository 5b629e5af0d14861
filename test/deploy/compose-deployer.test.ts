import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { runDeployerContract } from './deployer.contract.js';

runDeployerContract('docker-compose (runtime service only)', {
  target: 'docker-compose',
  deployLines: [`base_image "${TEST_BASE_IMAGE}"`],
  deployer: (fakeUrl) => ({ env: { ANTHROPIC_BASE_URL: fakeUrl } }),
  identity: (ids) => ids.container,
  beforeAll: async () => {
    requireDocker();
    await ensureBaseImage();
  },
  timeoutMs: 180_000,
});
