import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
    // Tests start real local servers; two cores on CI.
    pool: 'forks',
    // The run ends by listing what it skipped and why (a missing prometheus, say).
    reporters: ['default', './test/helpers/skip-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
