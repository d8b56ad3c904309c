/**
 * A bot run: ramp connections up at `rampPerSecond`, wait `warmupSeconds`, then measure for
 * `durationSeconds`, close every socket and report. Only the measurement window is reported, so
 * the join wave is not what gets measured.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Bot, type BotHost } from './bot.ts';
import { startInputClock } from './input-clock.ts';
import type { BotReport } from './report.ts';
import { devSeats, lobbySeats, RateLimitNotice, type SeatSource } from './seats.ts';
import { connectedCount, RunStats, totalsOf, type WindowReport } from './stats.ts';

/** What one run does. */
export interface BotRunOptions {
  /** Base HTTP URL of the game node (it must serve POST /dev/seats); unused with `lobby`. */
  readonly url: string;
  /** Base HTTP URL of a lobby: seats come from matchmaking tickets instead of /dev/seats. */
  readonly lobby?: string;
  readonly clients: number;
  /** Consecutive bots per room (dev seats only: the lobby's matchmaker fills rooms). */
  readonly roomSize: number;
  /** Measured seconds, after the ramp and the warmup. */
  readonly durationSeconds: number;
  /** Seconds between the last connection and the start of the measurement. */
  readonly warmupSeconds: number;
  readonly mode: string;
  /** Inputs per second per bot. */
  readonly inputRate: number;
  /** New connections per second. */
  readonly rampPerSecond: number;
  /** Count bytes and messages only: no SDK, no decoding (for the floor server). */
  readonly raw: boolean;
  /** Options for rooms the bots create (dev seats only; arena: matchSeconds). */
  readonly roomOptions: Readonly<Record<string, unknown>>;
  /** Room ids are `dev-bots-<runId>-<k>` (dev seats only). */
  readonly runId: string;
}

/** Told about phases and progress while a run goes on. */
export interface BotRunHooks {
  onPhase?(phase: 'ramp' | 'warmup' | 'measure-start' | 'measure-end' | 'closing'): void;
  /** Every `intervalSeconds`, counters since the previous call. */
  onProgress?(report: WindowReport): void;
  /** Something the person running the bots should know now (a wait on a lobby rate limit). */
  onNotice?(line: string): void;
  readonly intervalSeconds?: number;
  /** Abort stops the run early; the report covers what was measured. */
  readonly signal?: AbortSignal;
}

const LOOP_DELAY_RESOLUTION_MS = 10;
/** The longest the ramp waits for slow seats and connects after the last bot started. */
const JOIN_TIMEOUT_MS = 30_000;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The seat source a run's options ask for. */
function seatSource(options: BotRunOptions, notice: RateLimitNotice): SeatSource {
  return options.lobby !== undefined
    ? lobbySeats({ lobby: options.lobby, mode: options.mode }, notice)
    : devSeats(options);
}

/** Run bots against a game node (or the floor server) and report the measurement window. */
export async function runBots(options: BotRunOptions, hooks: BotRunHooks = {}): Promise<BotReport> {
  const { signal } = hooks;
  const stats = new RunStats();
  const bots: Bot[] = [];
  let inputsSkipped = 0;
  const host: BotHost & { closing: boolean } = {
    raw: options.raw,
    closing: false,
    recordAck: (ms) => stats.recordAck(ms),
    disconnect: (code) => stats.disconnect(code),
    error: (kind, message) => stats.error(kind, message),
  };
  const notice = new RateLimitNotice((line) => hooks.onNotice?.(line));
  const seat = seatSource(options, notice);
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  let last = totalsOf(bots);
  const progress =
    hooks.onProgress && (hooks.intervalSeconds ?? 0) > 0
      ? setInterval(() => {
          const now = totalsOf(bots);
          hooks.onProgress?.(stats.window(bots, last, now, 'interval'));
          last = now;
        }, hooks.intervalSeconds! * 1000)
      : undefined;

  // Ramp: one bot every 1/rampPerSecond s, each connecting on its own; the inputs start at once,
  // so early rooms are already busy while later bots join.
  hooks.onPhase?.('ramp');
  const rampStart = performance.now();
  const stopInputs = startInputClock(bots, options.inputRate, (n) => {
    inputsSkipped += n;
  });
  const joins: Promise<void>[] = [];
  for (let i = 0; i < options.clients && !signal?.aborted; i++) {
    const bot = new Bot(i, host);
    bots.push(bot);
    joins.push(
      seat(i, signal).then(
        (grant) => bot.connect(grant).catch((error: unknown) => stats.error('connect', messageOf(error))),
        (error: unknown) => stats.error('seat', messageOf(error)),
      ),
    );
    const nextAt = rampStart + ((i + 1) * 1000) / options.rampPerSecond;
    const wait = nextAt - performance.now();
    if (wait > 1) await sleep(wait, signal);
  }
  // Wait for the joins; while bots sit out a lobby rate limit, until a while after it lifts.
  const joined = Promise.all(joins).then(() => true);
  let deadline = Date.now() + JOIN_TIMEOUT_MS;
  while (!signal?.aborted) {
    if (await Promise.race([joined, sleep(deadline - Date.now(), signal).then(() => false)])) break;
    const afterWaits = notice.until + JOIN_TIMEOUT_MS;
    if (afterWaits <= deadline) break;
    deadline = afterWaits;
  }
  const rampSeconds = (performance.now() - rampStart) / 1000;
  const connectedPeak = connectedCount(bots);
  if (connectedPeak === 0 && !signal?.aborted) {
    stopInputs();
    clearInterval(progress);
    const [first] = stats.errors.keys();
    const target = options.lobby ?? options.url;
    throw new Error(`no bot could connect through ${target}${first ? `: ${first}` : ''}`);
  }

  hooks.onPhase?.('warmup');
  await sleep(options.warmupSeconds * 1000, signal);

  hooks.onPhase?.('measure-start');
  stats.resetWindow();
  loopDelay.enable();
  const cpuFrom = process.cpuUsage();
  const from = totalsOf(bots);
  await sleep(options.durationSeconds * 1000, signal);
  const to = totalsOf(bots);
  const cpu = process.cpuUsage(cpuFrom);
  loopDelay.disable();
  hooks.onPhase?.('measure-end');
  const window = stats.window(bots, from, to, 'window');

  hooks.onPhase?.('closing');
  host.closing = true;
  stopInputs();
  clearInterval(progress);
  await Promise.all(bots.map((bot) => bot.close()));

  const seconds = window.seconds > 0 ? window.seconds : 1;
  return {
    ...window,
    options,
    requested: options.clients,
    connectedPeak,
    rampSeconds,
    disconnects: Object.fromEntries(stats.disconnects),
    errors: Object.fromEntries(stats.errors),
    botCpuMsPerSecond: (cpu.user + cpu.system) / 1000 / seconds,
    // The histogram includes the sampling timer's own period: only the excess is lag.
    botLoopDelayP99Ms:
      loopDelay.count > 0 ? Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
    inputsSkipped,
  };
}

/** An error's message with its cause (fetch failures hide the reason there). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
