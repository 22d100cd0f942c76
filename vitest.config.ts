import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
    // Tests start real local servers; two cores on CI.
    pool: 'forks',
    // Most test time is spent waiting on real processes and servers (a daemon's 10 s poll
    // interval, restarts), not on the CPU: two files at a time even on a 2-core machine, where
    // vitest's default (cores - 1) would run one. Both Node passes ran side by side on one
    // 2-core machine without a failure, which is the same load.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The run ends by listing what it skipped and why (a missing prometheus, say).
    reporters: ['default', './test/helpers/skip-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
