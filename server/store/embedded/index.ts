/**
 * The embedded store: players and leaderboards in one node:sqlite database under the data dir, so
 * they survive restarts with no external service; the room directory and matchmaking tickets in
 * process memory (they live no longer than the rooms and the waits they describe). `dataDir:
 * ':memory:'` keeps it all in memory.
 */
import { BoardRegistry } from '../boards.ts';
import { MemoryRoomDirectory } from '../memory/room-directory.ts';
import { MemoryTicketStore } from '../memory/tickets.ts';
import type { Store, StoreOptions } from '../types.ts';
import { EmbeddedLeaderboards } from './leaderboards.ts';
import { EmbeddedPlayers } from './players.ts';
import { MIGRATIONS } from './schema.ts';
import { openDatabase } from './sqlite.ts';

export { DATABASE_FILE, IN_MEMORY } from './sqlite.ts';

/** Where and how to open the embedded store. */
export interface EmbeddedStoreOptions extends Partial<StoreOptions> {
  /** Directory for the database file (created if missing), or `:memory:`. */
  readonly dataDir: string;
}

/**
 * Open the embedded store: board configs are checked, the schema migrated, statements prepared.
 * @example
 * const store = await openEmbeddedStore({ dataDir: config.dataDir, boards, now: Date.now });
 * await store.leaderboards.top('kills-weekly', { limit: 10 });
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  const now = options.now ?? Date.now;
  const boards = new BoardRegistry(options.boards ?? []);
  const db = openDatabase(options.dataDir, MIGRATIONS, now);
  try {
    const players = new EmbeddedPlayers(db, now);
    const leaderboards = new EmbeddedLeaderboards(db, boards, now);
    return {
      players,
      leaderboards,
      rooms: new MemoryRoomDirectory(now),
      tickets: new MemoryTicketStore(now),
      durable: true, // every write is a SQLite commit before it is answered
      close: async () => {
        if (!db.isOpen) return;
        players.flush();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
