import { defineConfig } from 'vitest/config';

// The machines have two cores and the suites start real servers and processes,
// so files run in forked workers with a small pool and generous per-test timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
