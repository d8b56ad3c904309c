/** A whole Tickforge (store, lobby, game node) on ports 0 of 127.0.0.1 in a fresh data dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { arena } from '../../server/games/arena/index.ts';
import { startTickforge, type Tickforge } from '../../server/tickforge.ts';

/** A running Tickforge and the data dir it owns. */
export interface TestTickforge extends Tickforge {
  readonly dataDir: string;
  /** Stop it and delete its data dir (unless `keepData`). */
  close(keepData?: boolean): Promise<void>;
}

/**
 * Start one with the environment `env` on top of test defaults (short matches, no fill wait), in
 * a fresh data dir unless `TICKFORGE_DATA_DIR` names one.
 */
export async function startTestTickforge(
  env: Record<string, string> = {},
  log?: Logger,
): Promise<TestTickforge> {
  const dataDir = env.TICKFORGE_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'tickforge-flow-')));
  const config = loadConfig({
    TICKFORGE_HOST: '127.0.0.1',
    TICKFORGE_GAME_PORT: '0',
    TICKFORGE_LOBBY_PORT: '0',
    TICKFORGE_DATA_DIR: dataDir,
    TICKFORGE_MATCH_FILL_WAIT_MS: '0',
    TICKFORGE_MATCHMAKING_INTERVAL_MS: '50',
    TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":2}}',
    TICKFORGE_SHUTDOWN_TIMEOUT_MS: '3000',
    ...(process.env.TICKFORGE_TRANSPORT ? { TICKFORGE_TRANSPORT: process.env.TICKFORGE_TRANSPORT } : {}),
    ...env,
  });
  const tickforge = await startTickforge({
    config,
    log: log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    rooms: [arena],
  });
  return {
    ...tickforge,
    dataDir,
    async close(keepData = false) {
      await tickforge.stop();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
