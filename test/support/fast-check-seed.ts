/**
 * One seed for every fast-check property in a vitest worker, so a failure reproduces with one
 * variable: `FC_SEED=<seed> npx vitest run <file>`. Without FC_SEED each worker draws a fresh seed
 * (new cases every run); with it, every property replays the same cases. Loaded as a vitest setup file.
 */
import fc from 'fast-check';
import { beforeEach, onTestFailed } from 'vitest';

/** The seed from FC_SEED (an integer), else a fresh random 32-bit one. */
export function fastCheckSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FC_SEED?.trim();
  if (raw === undefined || raw === '') return (Math.random() * 0x1_0000_0000) | 0;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed | 0;
}

const seed = fastCheckSeed();
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

beforeEach(() => {
  // Printed for any failing test: a non-property test ignores the seed, so the hint is harmless there.
  onTestFailed(() => {
    console.error(`fast-check seed ${seed}: reproduce with FC_SEED=${seed}`);
  });
});
