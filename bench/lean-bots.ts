/**
 * The lean load generator: many players from one core, for showing a node's capacity where the SDK
 * bots (loadtest/bots) run out of CPU first. Seats come from POST /dev/seats like the bots'; each
 * player is a LeanClient (bench/lean/raw-client.ts): raw WebSocket frames over `net`, pre-encoded
 * INPUTs at --input-rate with a wandering direction, and only the header of each state message read
 * (its tick and ack), so states per second, bytes and input->ack are measured but state contents are
 * not checked (the SDK bots and the tests do that).
 *
 * Prints the same NDJSON as `npm run bots -- --json` (phase lines, then a report), so bench/game.ts
 * runs either. `--floor` reads the raw-uWS floor (no WELCOME, no acks): latency is then input -> the
 * next message, the least any server that answers at its next tick could do.
 *
 *   node --experimental-strip-types bench/lean-bots.ts --url http://127.0.0.1:PORT --clients 3000
 *        [--room-size 16] [--duration 20] [--warmup 5] [--ramp 200] [--input-rate 20] [--floor]
 */
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startInputClock } from '../loadtest/bots/input-clock.ts';
import { devSeats } from '../loadtest/bots/seats.ts';
import { seatUrl } from '../loadtest/common/lobby-api.ts';
import { seededRandom } from '../server/games/arena/rules.ts';
import { encodeMessage } from '../shared/protocol/codec.ts';
import { SUBPROTOCOL } from '../shared/protocol/codes.ts';
import { type AckMode, inputFrame, LeanClient, type LeanTotals } from './lean/raw-client.ts';

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
const ackMode: AckMode = values.floor ? 'next-message' : 'state';
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const phase = (name: string) => emit({ type: 'phase', phase: name, t: performance.now() });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const ackUs = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
const disconnects: Record<string, number> = {};
const errors: Record<string, number> = {};
const totals: LeanTotals = {
  states: 0,
  messages: 0,
  bytes: 0,
  inputs: 0,
  ack: (ms) => ackUs.record(Math.max(1, Math.round(ms * 1000))),
  closed: (code) => {
    disconnects[code] = (disconnects[code] ?? 0) + 1;
  },
};
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
const random = seededRandom(1);

const seat = devSeats({
  url: values.url,
  mode: values.mode,
  roomSize,
  runId: values['run-id'],
  roomOptions: {},
});
const players: LeanClient[] = [];

async function join(index: number): Promise<void> {
  try {
    const grant = await seat(index);
    const url = new URL(seatUrl(grant));
    // Each client keeps its own copies of the frames: their seq bytes are patched per send.
    const own = frames.map((f) => Buffer.from(f));
    const client = new LeanClient(
      Number(url.port),
      `${url.pathname}${url.search}`,
      SUBPROTOCOL,
      own,
      totals,
      ackMode,
      random,
    );
    players.push(client);
    await client.ready;
  } catch (e) {
    error('connect', e instanceof Error ? e.message : String(e));
  }
}

async function main(): Promise<void> {
  phase('ramp');
  const rampStart = performance.now();
  const stopInputs = startInputClock(players, inputRate, () => {});
  const joins: Promise<void>[] = [];
  for (let i = 0; i < clients; i++) {
    joins.push(join(i));
    const wait = rampStart + ((i + 1) * 1000) / ramp - performance.now();
    if (wait > 1) await sleep(wait);
  }
  await Promise.race([Promise.all(joins), sleep(30_000)]);
  const rampSeconds = (performance.now() - rampStart) / 1000;
  const connectedPeak = players.filter((p) => p.open).length;
  phase('warmup');
  await sleep(warmup * 1000);

  phase('measure-start');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  ackUs.reset();
  const from = { ...totals };
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const connectedAtStart = players.filter((p) => p.open).length;
  await sleep(duration * 1000);
  const seconds = (performance.now() - startedAt) / 1000;
  const used = process.cpuUsage(cpu);
  const connected = players.filter((p) => p.open).length;
  loop.disable();
  phase('measure-end');

  // Clients that dropped during the window count for half of it: close enough for a rate.
  const clientSeconds = ((connectedAtStart + connected) / 2) * seconds;
  const per = (n: number) => (clientSeconds > 0 ? n / clientSeconds : 0);
  const states = totals.states - from.states;
  const messages = totals.messages - from.messages;
  const bytes = totals.bytes - from.bytes;
  const ms = (us: number) => (ackUs.count > 0 ? us / 1000 : null);
  phase('closing');
  stopInputs();
  for (const p of players) p.close();
  emit({
    type: 'report',
    which: 'window',
    seconds,
    connected,
    clientSeconds,
    statesPerClientSecond: per(states),
    messagesPerClientSecond: per(messages),
    bytesPerClientSecond: per(bytes),
    meanMessageBytes: messages > 0 ? bytes / messages : 0,
    inputsPerClientSecond: per(totals.inputs - from.inputs),
    ackP50Ms: ms(ackUs.percentile(50)),
    ackP99Ms: ms(ackUs.percentile(99)),
    ackMaxMs: ms(ackUs.max),
    ackSamples: ackUs.count,
    options: { generator: 'lean', raw: false, clients, roomSize, inputRate, floor: values.floor },
    requested: clients,
    connectedPeak,
    rampSeconds,
    disconnects,
    errors,
    botCpuMsPerSecond: (used.user + used.system) / 1000 / seconds,
    botLoopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - 10),
    inputsSkipped: 0,
  });
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`lean-bots: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
