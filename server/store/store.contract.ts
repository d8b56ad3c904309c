/**
 * The store contract: one suite every implementation (embedded now, Redis later) must pass.
 * A test file calls `describeStoreContract('name', factory)`, where the factory opens a fresh,
 * empty store with the given boards and clock; the suite closes every store it opens.
 */
import { describe } from 'vitest';
import { describeBatches } from './contract/batches.ts';
import type { StoreFactory } from './contract/harness.ts';
import { describeModel } from './contract/model.ts';
import { describePeriods } from './contract/periods.ts';
import { describePlayers } from './contract/players.ts';
import { describeReading } from './contract/reading.ts';
import { describeRooms } from './contract/rooms.ts';
import { describeScoring } from './contract/scoring.ts';
import { describeTickets } from './contract/tickets.ts';

export { CONTRACT_BOARDS, type StoreFactory } from './contract/harness.ts';

/** Run the whole store contract against one implementation. */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    describePlayers(factory);
    describeScoring(factory);
    describeBatches(factory);
    describeReading(factory);
    describePeriods(factory);
    describeModel(factory);
    describeRooms(factory);
    describeTickets(factory);
  });
}
