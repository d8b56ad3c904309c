import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'shared/**/*.test.ts', 'client-demo/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind real ports and run real tick loops; keep parallelism to the 2 cores.
    maxWorkers: 2,
    // fast-check: one seed per run, printed on failure, replayed with FC_SEED=<seed>.
    setupFiles: ['test/support/fast-check-seed.ts'],
  },
});
