/**
 * The bot tool's command line: arguments -> run options, and `main`, which runs the bots and prints
 * progress and a summary (or NDJSON for the game benchmark).
 */
import { parseArgs } from 'node:util';
import { progressLine, summary } from './report.ts';
import { type BotRunOptions, messageOf, runBots } from './run.ts';

/** What `npm start` serves. */
const DEFAULT_URL = 'http://127.0.0.1:2567';

/** Shown by --help and after a bad argument. */
export const USAGE = `usage: npm run bots -- [--url http://127.0.0.1:2567 | --lobby http://127.0.0.1:2568] [options]

  --url URL            game node base URL; seats from its POST /dev/seats, which the node serves
                       only with TICKFORGE_DEV_SEATS=true               (default ${DEFAULT_URL})
  --lobby URL          lobby base URL; seats the way players get them, through the SDK's lobby
                       client: a guest, a matchmaking ticket, waiting until it is matched (the
                       matchmaker picks the rooms)
  --clients N          bots to connect                                  (default 32)
  --room-size N        consecutive bots per room (dev seats)            (default 16)
  --rooms N            spread the bots over N rooms instead (dev seats; sets the room size)
  --duration S         measured seconds, after ramp and warmup          (default 30)
  --warmup S           seconds between the last join and measuring      (default 2)
  --mode NAME          game mode                                        (default arena)
  --input-rate HZ      inputs per second per bot                        (default 20)
  --ramp N             new connections per second                       (default 200)
  --match-seconds S    matchSeconds option for rooms the bots create (dev seats)   (default 3600)
  --run-id ID          room ids are dev-bots-<ID>-<k> (dev seats)       (default: time-based)
  --raw                count bytes and messages only, no SDK decoding (floor server)
  --json               NDJSON on stdout: {"type":"phase",...} and {"type":"notice",...} lines,
                       then one {"type":"report",...}
  --help`;

/** Thrown for a bad command line; the CLI prints the message and the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positive(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return n;
}

/** An http(s) base URL, as its origin. */
function httpOrigin(name: string, value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--${name} must be an http(s) URL (${what}), got "${value}"`);
  }
  return url.origin;
}

const ARG_OPTIONS = {
  url: { type: 'string' },
  lobby: { type: 'string' },
  clients: { type: 'string' },
  'room-size': { type: 'string' },
  rooms: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  mode: { type: 'string' },
  'input-rate': { type: 'string' },
  ramp: { type: 'string' },
  'match-seconds': { type: 'string' },
  'run-id': { type: 'string' },
  raw: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Options that only mean something when the bots pick their rooms through /dev/seats. */
const DEV_SEAT_ONLY = ['url', 'room-size', 'rooms', 'match-seconds', 'run-id'] as const;

/** Parse a command line into run options (throws UsageError). */
export function parseBotArgs(
  args: readonly string[],
):
  | { readonly help: true }
  | { readonly help: false; readonly options: BotRunOptions; readonly json: boolean } {
  let values: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    values = parseArgs({
      args: [...args],
      options: ARG_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  if (values.help) return { help: true };
  const lobby =
    values.lobby === undefined ? undefined : httpOrigin('lobby', values.lobby, "the lobby's REST API");
  if (lobby !== undefined) {
    const clash = DEV_SEAT_ONLY.find((name) => values[name] !== undefined);
    if (clash) {
      throw new UsageError(
        `--${clash} is for dev seats; with --lobby the lobby's matchmaker picks the rooms`,
      );
    }
  }
  const url = httpOrigin('url', values.url ?? DEFAULT_URL, "the node's dev seat endpoint");
  const mode = values.mode ?? 'arena';
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(mode))
    throw new UsageError(`--mode must be a mode name like "arena", got "${mode}"`);
  const runId = values['run-id'] ?? Date.now().toString(36);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(runId)) throw new UsageError('--run-id must be 1-32 of [A-Za-z0-9_-]');
  const warmup = values.warmup === undefined ? 2 : Number(values.warmup);
  if (!Number.isFinite(warmup) || warmup < 0)
    throw new UsageError(`--warmup must be >= 0, got "${values.warmup}"`);
  if (values.rooms !== undefined && values['room-size'] !== undefined) {
    throw new UsageError('give --rooms or --room-size, not both');
  }
  const clients = positive('clients', values.clients, 32, true);
  const roomSize =
    values.rooms === undefined
      ? positive('room-size', values['room-size'], 16, true)
      : Math.ceil(clients / positive('rooms', values.rooms, 1, true));
  const options: BotRunOptions = {
    url,
    ...(lobby !== undefined ? { lobby } : {}),
    clients,
    roomSize,
    durationSeconds: positive('duration', values.duration, 30, false),
    warmupSeconds: warmup,
    mode,
    inputRate: positive('input-rate', values['input-rate'], 20, false),
    rampPerSecond: positive('ramp', values.ramp, 200, false),
    raw: values.raw ?? false,
    roomOptions: { matchSeconds: positive('match-seconds', values['match-seconds'], 3600, false) },
    runId,
  };
  return { help: false, options, json: values.json ?? false };
}

/** Run the CLI; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseBotArgs>;
  try {
    parsed = parseBotArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bots: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options, json } = parsed;
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  if (!json) {
    const target = options.lobby
      ? `lobby ${options.lobby} (matchmaking)`
      : `${options.url}, rooms of ${options.roomSize}`;
    console.log(
      `bots: ${options.clients} ${options.raw ? 'raw ' : ''}clients -> ${target}, ` +
        `ramp ${options.rampPerSecond}/s, warmup ${options.warmupSeconds} s, measuring ${options.durationSeconds} s`,
    );
  }
  const report = await runBots(options, {
    signal: abort.signal,
    intervalSeconds: json ? 0 : 5,
    onProgress: (r) => console.log(`[${elapsed()} s] ${progressLine(r)}`),
    onPhase: (phase) =>
      json ? emit({ type: 'phase', phase, t: performance.now() }) : console.log(`[${elapsed()} s] ${phase}`),
    onNotice: (line) =>
      json ? emit({ type: 'notice', message: line }) : console.log(`[${elapsed()} s] ${line}`),
  });
  if (json) emit({ type: 'report', ...report });
  else console.log(summary(report));
  return 0;
}
