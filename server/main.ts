/**
 * `npm start`: the lobby and one game node with the arena game on one machine, configured from
 * the environment (see the README's configuration table). `--role=lobby` or `--role=game` (what
 * `npm run start:lobby` and `start:game` pass) stands for TICKFORGE_ROLE.
 */
import { ConfigError, loadConfig } from './config.ts';
import { arena } from './games/arena/index.ts';
import { createLogger } from './log.ts';
import { startRole } from './tickforge.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(withRoleArgument(process.env, process.argv.slice(2)));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tickforge: configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const tickforge = await startRole({ config, log, rooms: [arena] });
  const { lobbyUrl, node } = tickforge;
  if (lobbyUrl) log.info(`open ${lobbyUrl}/ to play, ${lobbyUrl}/docs for the API`);
  if (node && config.game.devSeats) {
    log.info(
      `dev seats enabled (TICKFORGE_DEV_SEATS=true): POST http://localhost:${node.port}/dev/seats; never on a public node`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    tickforge.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** The environment with `--role=<role>` from the command line as TICKFORGE_ROLE. */
function withRoleArgument(env: NodeJS.ProcessEnv, args: readonly string[]): NodeJS.ProcessEnv {
  const role = args.find((arg) => arg.startsWith('--role='))?.slice('--role='.length);
  return role === undefined ? env : { ...env, TICKFORGE_ROLE: role };
}

main().catch((error: unknown) => {
  console.error('tickforge: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
