/**
 * The game node under benchmark: one GameNode with the arena game and dev seats, on the transport
 * named by --transport, started by bench/game.ts (pinned to one core).
 *
 * stdout carries JSON lines only: `{"port":...}` once listening, then one answer per command.
 * stdin takes one command per line: `reset` (start a measurement window: clears the tick
 * histogram and counters), `stats` (the window so far), `heap-snapshot` (write a .heapsnapshot to
 * the OS temp dir and answer its path; for RSS investigations), `quit` (exit).
 * With --cpu-prof FILE the V8 CPU profiler runs from `reset` to `stats` only (the measurement
 * window, not the join wave) and the .cpuprofile is written to FILE before `stats` answers.
 * Logs go to stderr. The process exits when stdin closes, so it never outlives the orchestrator.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { ConfigError, type GameConfig, loadConfig } from '../server/config.ts';
import { GameNode } from '../server/game/game-node.ts';
import { SeatTokens } from '../server/game/seat-token.ts';
import { arena } from '../server/games/arena/index.ts';

/** Answer to `stats`: the window since the last `reset`. */
export interface GameServerStats {
  readonly transport: 'uws' | 'ws';
  readonly node: string;
  readonly execPath: string;
  readonly ticks: number;
  readonly tickP50Ms: number;
  readonly tickP99Ms: number;
  readonly tickMaxMs: number;
  /** Event-loop delay beyond the 10 ms sampling period: how late anything (a tick, a read) could start. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** process.memoryUsage() in MiB: where the RSS goes. */
  readonly memory: Record<string, number>;
  /** V8 heap spaces, committed MiB by space (new_space is the two semi-spaces). */
  readonly heapSpaces?: Record<string, number>;
  readonly overruns: number;
  readonly slipped: number;
  /** State sends skipped by flow control (a client's socket over its buffer bound) in the window. */
  readonly skippedSends?: number;
  readonly rooms: number;
  readonly connections: number;
}

const LOOP_DELAY_RESOLUTION_MS = 10;

/** process.memoryUsage() in MiB, one decimal. */
function memoryMiB(): Record<string, number> {
  const usage = process.memoryUsage();
  const out: Record<string, number> = {};
  for (const [key, bytes] of Object.entries(usage)) out[key] = Math.round(bytes / 104857.6) / 10;
  return out;
}

/** Committed size of each V8 heap space in MiB, one decimal. */
function heapSpacesMiB(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics())
    out[space.space_name] = Math.round(space.physical_space_size / 104857.6) / 10;
  return out;
}

/** The V8 sampling profiler over one window, written as a .cpuprofile (what --cpu-prof writes). */
class WindowProfiler {
  readonly #file: string;
  readonly #session = new Session();

  constructor(file: string) {
    this.#file = file;
    this.#session.connect();
  }

  async start(): Promise<void> {
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.#session.post('Profiler.start');
  }

  async stop(): Promise<void> {
    const { profile } = await this.#session.post('Profiler.stop');
    await writeFile(this.#file, JSON.stringify(profile));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transport: { type: 'string', default: 'uws' },
      port: { type: 'string', default: '0' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  const transport = values.transport;
  if (transport !== 'uws' && transport !== 'ws')
    throw new ConfigError(`--transport must be uws or ws, got "${transport}"`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port must be 0-65535, got "${values.port}"`);

  const config: GameConfig = {
    ...loadConfig({ ...process.env, TICKFORGE_TRANSPORT: transport }).game,
    host: '127.0.0.1',
    port,
    devSeats: true,
    maxRooms: 100_000,
  };
  // Tick durations in microseconds (a histogram records integers).
  const ticks = createHistogram({ lowest: 1, highest: 10_000_000, figures: 3 });
  let overruns = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const node = await GameNode.start({
    config,
    log: pino({ level: process.env.TICKFORGE_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    tokens: new SeatTokens({ secret: randomBytes(32) }),
    rooms: [arena],
    onTick: (ms, overrun) => {
      ticks.record(Math.max(1, Math.round(ms * 1000)));
      if (overrun) overruns++;
    },
  });
  if (node.transport.kind !== transport)
    throw new Error(`asked for ${transport}, got ${node.transport.kind}`);
  let slippedAtReset = node.scheduler.counters.slipped;
  const skippedSends = async () => (await node.metrics.skippedSends.get()).values[0]?.value ?? 0;
  let skippedAtReset = 0;

  const profiler = values['cpu-prof'] ? new WindowProfiler(values['cpu-prof']) : undefined;

  const write = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  const quit = () => {
    node.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  const commands: Record<string, () => Promise<void> | void> = {
    async reset() {
      await profiler?.start();
      ticks.reset();
      loopDelay.reset();
      overruns = 0;
      slippedAtReset = node.scheduler.counters.slipped;
      skippedAtReset = await skippedSends();
      write({ ok: 'reset' });
    },
    async stats() {
      await profiler?.stop();
      const ms = (us: number) => (ticks.count > 0 ? us / 1000 : 0);
      const lag = (ns: number) =>
        loopDelay.count > 0 ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0;
      const stats: GameServerStats = {
        transport,
        node: process.version,
        execPath: process.execPath,
        ticks: ticks.count,
        tickP50Ms: ms(ticks.percentile(50)),
        tickP99Ms: ms(ticks.percentile(99)),
        tickMaxMs: ms(ticks.max),
        loopDelayP99Ms: lag(loopDelay.percentile(99)),
        loopDelayMaxMs: lag(loopDelay.max),
        memory: memoryMiB(),
        heapSpaces: heapSpacesMiB(),
        overruns,
        slipped: node.scheduler.counters.slipped - slippedAtReset,
        skippedSends: (await skippedSends()) - skippedAtReset,
        rooms: node.registry.size,
        connections: node.connections,
      };
      write(stats);
    },
    'heap-snapshot'() {
      write({
        file: writeHeapSnapshot(join(tmpdir(), `tickforge-game-${process.pid}-${Date.now()}.heapsnapshot`)),
      });
    },
    quit,
  };
  const input = createInterface({ input: process.stdin });
  // Commands run one at a time, in order, so answers come back in the order asked.
  let queue = Promise.resolve();
  input.on('line', (line) => {
    const command = commands[line.trim()];
    queue = queue
      .then(() =>
        command
          ? command()
          : write({ error: `unknown command "${line.trim()}" (reset | stats | heap-snapshot | quit)` }),
      )
      .catch((error: unknown) => write({ error: error instanceof Error ? error.message : String(error) }));
  });
  input.on('close', quit);
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
  write({
    port: node.port,
    transport: node.transport.kind,
    node: process.version,
    execPath: process.execPath,
  });
}

main().catch((error: unknown) => {
  console.error(`game-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
