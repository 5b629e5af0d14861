import { defineConfig } from 'vitest/config';
import { INTEGRATION_SUITES } from './test/projects.js';

// The machines have two cores and the suites start real servers and processes,
// so files run in forked workers with a small pool and generous per-test timeouts.
// Two projects (`test/projects.ts` says which suite goes where and why):
// `unit` needs nothing from the system but Node; `integration` uses Docker,
// redis-server, bubblewrap, Chromium and the like. `npm test` runs both;
// `npm run test:unit` / `npm run test:integration` run one (`--project <name>`).
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...INTEGRATION_SUITES] } },
      { extends: true, test: { name: 'integration', include: [...INTEGRATION_SUITES] } },
    ],
  },
});
