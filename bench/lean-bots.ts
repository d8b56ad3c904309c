/**
 * The lean load generator: many players from one core, for showing a node's capacity where the SDK
 * bots (loadtest/bots) run out of CPU first. Seats come from POST /dev/seats like the bots'; each
 * player is one TCP connection speaking raw WebSocket frames: pre-encoded INPUTs at --input-rate
 * with a wandering direction, and only the header of each state message read (its tick and ack),
 * so states per second, bytes and input->ack are measured but state contents are not checked (the
 * SDK bots and the tests do that). The players run in the C generator (bench/lean/generator.c,
 * built on first use; `--engine c`, the default) or, with no C compiler or `--engine node`, in this
 * process (bench/lean/raw-client.ts), which costs about twice the CPU per player.
 *
 * Prints the same NDJSON as `npm run bots -- --json` (phase lines, then a report), so bench/game.ts
 * runs either. `--floor` reads the raw-uWS floor (no WELCOME, no acks): latency is then input -> the
 * next message, the least any server that answers at its next tick could do.
 *
 *   node --experimental-strip-types bench/lean-bots.ts --url http://127.0.0.1:PORT --clients 3000
 *        [--room-size 16] [--duration 20] [--warmup 5] [--ramp 200] [--input-rate 20] [--floor]
 *        [--engine c|node]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { devSeats } from '../loadtest/bots/seats.ts';
import { seatUrl } from '../loadtest/common/lobby-api.ts';
import { seededRandom } from '../server/games/arena/rules.ts';
import { encodeMessage } from '../shared/protocol/codec.ts';
import { SUBPROTOCOL } from '../shared/protocol/codes.ts';
import { type Fleet, NodeFleet } from './lean/fleet.ts';
import { buildNativeGenerator } from './lean/native.ts';
import { NativeFleet } from './lean/native-fleet.ts';
import { type AckMode, inputFrame } from './lean/raw-client.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:2567' },
    clients: { type: 'string', default: '1024' },
    'room-size': { type: 'string', default: '16' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    ramp: { type: 'string', default: '200' },
    'input-rate': { type: 'string', default: '20' },
    'run-id': { type: 'string', default: 'lean' },
    mode: { type: 'string', default: 'arena' },
    engine: { type: 'string', default: 'c' },
    floor: { type: 'boolean', default: false },
    json: { type: 'boolean', default: true },
  },
  strict: true,
});
const clients = Number(values.clients);
const roomSize = Number(values['room-size']);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const ramp = Number(values.ramp);
const inputRate = Number(values['input-rate']);
if (![clients, roomSize, duration, ramp, inputRate].every((n) => n > 0) || !(warmup >= 0)) {
  console.error('lean-bots: --clients, --room-size, --duration, --ramp, --input-rate > 0; --warmup >= 0');
  process.exit(2);
}
if (values.engine !== 'c' && values.engine !== 'node') {
  console.error(`lean-bots: --engine takes c or node, got "${values.engine}"`);
  process.exit(2);
}
const ackMode: AckMode = values.floor ? 'next-message' : 'state';
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const phase = (name: string) => emit({ type: 'phase', phase: name, t: performance.now() });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const errors: Record<string, number> = {};
const error = (kind: string, message: string) => {
  const key = `${kind}: ${message.slice(0, 160)}`;
  errors[key] = (errors[key] ?? 0) + 1;
};

/** Eight directions, pre-encoded once (standing still one time in eight, as the SDK bots do). */
const frames = [
  { dx: 0, dy: 0 },
  ...Array.from({ length: 7 }, (_, i) => ({
    dx: Math.round(Math.cos((i * 2 * Math.PI) / 7) * 1000) / 1000,
    dy: Math.round(Math.sin((i * 2 * Math.PI) / 7) * 1000) / 1000,
  })),
].map((input) => inputFrame(input, encodeMessage));

function startFleet(): { fleet: Fleet; engine: 'c' | 'node' } {
  if (values.engine === 'c') {
    const built = buildNativeGenerator();
    if ('path' in built)
      return {
        fleet: new NativeFleet(built.path, SUBPROTOCOL, frames, ackMode, inputRate, 1),
        engine: 'c',
      };
    console.error(`lean-bots: ${built.unavailable}; running the players in Node`);
  }
  return { fleet: new NodeFleet(SUBPROTOCOL, frames, ackMode, seededRandom(1), inputRate), engine: 'node' };
}

const seat = devSeats({
  url: values.url,
  mode: values.mode,
  roomSize,
  runId: values['run-id'],
  roomOptions: {},
});

async function join(fleet: Fleet, index: number): Promise<void> {
  try {
    const url = new URL(seatUrl(await seat(index)));
    await fleet.join(Number(url.port), `${url.pathname}${url.search}`);
  } catch (e) {
    error('connect', e instanceof Error ? e.message : String(e));
  }
}

async function main(): Promise<void> {
  const { fleet, engine } = startFleet();
  phase('ramp');
  const rampStart = performance.now();
  const joins: Promise<void>[] = [];
  for (let i = 0; i < clients; i++) {
    joins.push(join(fleet, i));
    const wait = rampStart + ((i + 1) * 1000) / ramp - performance.now();
    if (wait > 1) await sleep(wait);
  }
  await Promise.race([Promise.all(joins), sleep(30_000)]);
  const rampSeconds = (performance.now() - rampStart) / 1000;
  const connectedPeak = (await fleet.mark()).open;
  phase('warmup');
  await sleep(warmup * 1000);

  phase('measure-start');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const from = await fleet.mark(); // also restarts input->ack
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  await sleep(duration * 1000);
  const to = await fleet.mark();
  const seconds = (performance.now() - startedAt) / 1000;
  const used = process.cpuUsage(cpu);
  loop.disable();
  phase('measure-end');

  // Clients that dropped during the window count for half of it: close enough for a rate.
  const clientSeconds = ((from.open + to.open) / 2) * seconds;
  const per = (n: number) => (clientSeconds > 0 ? n / clientSeconds : 0);
  const messages = to.messages - from.messages;
  const bytes = to.bytes - from.bytes;
  phase('closing');
  fleet.close();
  emit({
    type: 'report',
    which: 'window',
    seconds,
    connected: to.open,
    clientSeconds,
    statesPerClientSecond: per(to.states - from.states),
    messagesPerClientSecond: per(messages),
    bytesPerClientSecond: per(bytes),
    meanMessageBytes: messages > 0 ? bytes / messages : 0,
    inputsPerClientSecond: per(to.inputs - from.inputs),
    ackP50Ms: to.ackP50Ms,
    ackP99Ms: to.ackP99Ms,
    ackMaxMs: to.ackMaxMs,
    ackSamples: to.ackSamples,
    options: { generator: 'lean', engine, raw: false, clients, roomSize, inputRate, floor: values.floor },
    requested: clients,
    connectedPeak,
    rampSeconds,
    disconnects: to.disconnects,
    errors,
    // This process and the C generator's: both are the generator.
    botCpuMsPerSecond: ((used.user + used.system) / 1000 + to.helperCpuMs - from.helperCpuMs) / seconds,
    botLoopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - 10),
    inputsSkipped: to.inputsSkipped - from.inputsSkipped,
  });
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`lean-bots: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
