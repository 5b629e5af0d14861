import { runDeployerContract } from './deployer.contract.js';

runDeployerContract('process', {
  target: 'process',
  deployer: (fakeUrl) => ({ env: { ANTHROPIC_BASE_URL: fakeUrl } }),
  identity: (ids) => ids.pid,
});
