/**
 * `npm run bots`: many Node bots on the game client SDK, each holding a seat in a room, moving most
 * of the time, sending inputs at a fixed rate and timing input -> ack (see bots/cli.ts for the
 * options). The game benchmark spawns this file too. The tool lives in bots/: cli.ts (arguments,
 * output), run.ts (phases of a run), bot.ts (one bot), seats.ts (dev seats or the lobby),
 * stats.ts and report.ts (what is measured and printed).
 */
import { main } from './bots/cli.ts';
import { messageOf } from './bots/run.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bots: ${messageOf(error)}`);
    process.exit(1);
  },
);
