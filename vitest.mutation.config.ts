/**
 * The tests StrykerJS runs against each mutant (`npm run test:mutation`): the fast unit and
 * property tests of the mutated modules, not the integration suites that start servers. The
 * runner's `related` filter narrows this further to the files that import the mutated module.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Not mergeConfig: it would concatenate the include lists, and this one replaces the base's.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'shared/protocol/*.test.ts',
      'server/lobby/matchmaking/*.test.ts',
      'server/store/embedded/*.test.ts',
      'server/game/input-queue.test.ts',
      'server/game/room-runtime.test.ts',
      'server/game/sync/*.test.ts',
      // The Redis target (MUTATION_TARGET=redis) only: its tests start a private redis-server.
      ...(process.env.MUTATION_TARGET === 'redis' ? ['server/store/redis/*.test.ts'] : []),
    ],
  },
});
