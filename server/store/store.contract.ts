/**
 * The store contract: one suite every implementation (embedded, Redis) must pass.
 * A test file calls `describeStoreContract('name', factory)`, where the factory opens a fresh,
 * empty store with the given boards and clock; the suite closes every store it opens.
 */
import { describe } from 'vitest';
import { describeBatches } from './contract/batches.ts';
import { describeCorrections } from './contract/corrections.ts';
import type { StoreFactory } from './contract/harness.ts';
import { describeModel } from './contract/model.ts';
import { describePeriods } from './contract/periods.ts';
import { describePlayers } from './contract/players.ts';
import { describeReading } from './contract/reading.ts';
import { describeRooms } from './contract/rooms.ts';
import { describeScoring } from './contract/scoring.ts';
import { describeSharedStore, type PeerOpener } from './contract/shared.ts';
import { describeTickets } from './contract/tickets.ts';

export { CONTRACT_BOARDS, type StoreFactory } from './contract/harness.ts';
export type { PeerOpener } from './contract/shared.ts';

/** What an implementation offers beyond what every store must do. */
export interface StoreCapabilities {
  /**
   * Open a second instance on an open store's data, as another process would. A store meant to be
   * shared by processes (Redis) passes it and runs the cases of contract/shared.ts too; the embedded
   * store lives inside one process and has none.
   */
  readonly openPeer?: PeerOpener;
}

/** Run the whole store contract against one implementation. */
export function describeStoreContract(
  name: string,
  factory: StoreFactory,
  capabilities: StoreCapabilities = {},
): void {
  describe(`store contract: ${name}`, () => {
    describePlayers(factory);
    describeScoring(factory);
    describeBatches(factory);
    describeReading(factory);
    describeCorrections(factory);
    describePeriods(factory);
    describeModel(factory);
    describeRooms(factory);
    describeTickets(factory);
    if (capabilities.openPeer) describeSharedStore(factory, capabilities.openPeer);
  });
}
