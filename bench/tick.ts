import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { pino } from 'pino';
import { loadConfig } from '../server/config.ts';
import { handleClientMessage } from '../server/game/client-messages.ts';
import { GameMetrics } from '../server/game/metrics.ts';
import type { AnyRoomDefinition } from '../server/game/room.ts';
import { RoomRuntime } from '../server/game/room-runtime.ts';
import { compileRoomType } from '../server/game/room-type.ts';
import type { Seat, SeatSocket, SocketData } from '../server/game/seat.ts';
import { arena, seededRandom } from '../server/games/arena/index.ts';
import { decodeMessage, encodeMessage } from '../shared/protocol/codec.ts';
import { MessageType } from '../shared/protocol/codes.ts';
import { StateMirror } from '../shared/protocol/delta-apply.ts';
import { applyStateMessage, isStateMessage } from '../shared/protocol/state-message.ts';
import { shapeFromWire } from '../shared/protocol/state-shape.ts';
import { bigWorld, bigWorldFiltered } from './big-world.ts';
import { callgrindInstructions } from './callgrind.ts';

const TICK_MS = 50;

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '64' },
    ticks: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '100' },
    world: { type: 'string', default: 'arena' },
    things: { type: 'string', default: '5000' },
    players: { type: 'string', default: '500' },
    callgrind: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const rooms = Number(values.rooms);
const ticks = Number(values.ticks);
const warmup = Number(values.warmup);
const world = values.world;
const things = Number(values.things);
const bigPlayers = Number(values.players);
if (
  !(rooms > 0 && ticks > 0 && warmup >= 0 && things > 0 && bigPlayers > 0) ||
  !['arena', 'big', 'big-filtered'].includes(world)
) {
  console.error(
    'bench:tick: --rooms, --ticks, --things, --players > 0, --warmup >= 0, --world arena|big|big-filtered',
  );
  process.exit(2);
}

/** What the fake transport saw. */
const sent = { frames: 0, bytes: 0, publishes: 0, publishedBytes: 0, subscribers: 0 };
/** A copy target, so a send costs what the transports' copy costs. */
const wire = new Uint8Array(1 << 16);

/** Sockets subscribed per topic (the fake transport's pub/sub). */
const topics = new Map<string, Set<SeatSocket>>();

/** One client per room that decodes what it gets, as the SDK does: how much does a client hold? */
class SampledClient {
  mirror: StateMirror | undefined;
  slot: number | undefined;
  ack = 0;
  held = 0;
  states = 0;

  receive(bytes: Uint8Array): void {
    const message = decodeMessage(bytes);
    if (message[0] === MessageType.WELCOME) {
      this.mirror = new StateMirror(shapeFromWire(message[6]));
      this.slot = message[9] as number;
    } else if (isStateMessage(message[0])) {
      this.ack = applyStateMessage(this.mirror!, message, this.ack, this.slot).ackSeq;
      this.held += this.mirror!.entities.size;
      this.states++;
    }
  }
}
const sampled = new Map<SeatSocket, SampledClient>();

function fakeSocket(room: RoomRuntime, seat: Seat, sample: SampledClient | undefined): SeatSocket {
  const data = { seat, room, reconnectToken: 'r', roomFrames: true } as SocketData;
  return {
    data,
    remoteAddress: '127.0.0.1',
    send(bytes) {
      wire.set(bytes.subarray(0, Math.min(bytes.length, wire.length)));
      sent.frames++;
      sent.bytes += bytes.length;
      sample?.receive(bytes);
      return true;
    },
    bufferedAmount: () => 0,
    close() {},
    terminate() {},
    subscribe(topic) {
      const set = topics.get(topic) ?? new Set<SeatSocket>();
      topics.set(topic, set);
      set.add(this);
    },
    unsubscribe(topic) {
      topics.get(topic)?.delete(this);
    },
  };
}

/** uWS.js publishes in native code: one copy here, the per-subscriber count only counted. */
function publish(topic: string, bytes: Uint8Array): void {
  wire.set(bytes.subarray(0, Math.min(bytes.length, wire.length)));
  const subscribers = topics.get(topic);
  const n = subscribers?.size ?? 0;
  if (subscribers) for (const [socket, client] of sampled) if (subscribers.has(socket)) client.receive(bytes);
  sent.publishes++;
  sent.publishedBytes += bytes.length * n;
  sent.subscribers += n;
}

interface Client {
  readonly socket: SeatSocket;
  /** Pre-encoded `[INPUT, seq (uint32), input]` frames, one per direction; seq patched in place. */
  readonly frames: Uint8Array[];
  seq: number;
  direction: number;
  turnAt: number;
}

let clock = 1_000_000;
const now = () => clock;
const config = { ...loadConfig({}).game, maxPlayersPerRoom: 10_000 };
const metrics = new GameMetrics();
const log = pino({ level: 'silent' });
const deps = {
  metrics,
  log,
  now,
  serverTime: () => clock,
};
const definition: AnyRoomDefinition =
  world === 'big' ? bigWorld : world === 'big-filtered' ? bigWorldFiltered : arena;
const type = compileRoomType(definition, config.defaultTickRate);
const playersPerRoom = world === 'arena' ? 16 : bigPlayers;
const random = seededRandom(42);

/** Input frames for a direction: seq written as a 4-byte uint so it can be patched in place. */
function directions(): Uint8Array[] {
  const out: Uint8Array[] = [encodeMessage([MessageType.INPUT, 0x10000000, { dx: 0, dy: 0 }])];
  for (let i = 0; i < 7; i++) {
    const angle = random() * 2 * Math.PI;
    const input = {
      dx: Math.round(Math.cos(angle) * 1000) / 1000,
      dy: Math.round(Math.sin(angle) * 1000) / 1000,
    };
    out.push(encodeMessage([MessageType.INPUT, 0x10000000, input]));
  }
  return out;
}

const runtimes: RoomRuntime[] = [];
const clients: Client[] = [];
for (let r = 0; r < rooms; r++) {
  const runtime = new RoomRuntime(
    `bench-${r}`,
    type,
    { seed: r + 1, matchSeconds: 1_000_000, things },
    { config, metrics, log, now, publish, recordMatch: async () => {}, onDisposed: () => {} },
    playersPerRoom,
  );
  runtimes.push(runtime);
  for (let p = 0; p < playersPerRoom; p++) {
    const claims = {
      playerId: `p${r}-${p}`,
      name: `bot ${p}`,
      roomId: runtime.id,
      mode: type.definition.mode,
    };
    const seat = runtime.reserve({ ...claims, nodeId: 'bench', options: {} });
    if (!('player' in seat)) throw new Error(`seat refused: ${seat.reason}`);
    const sample = p === 0 ? new SampledClient() : undefined;
    const socket = fakeSocket(runtime, seat, sample);
    if (sample) sampled.set(socket, sample);
    runtime.attach(seat, socket);
    clients.push({ socket, frames: directions(), seq: 0, direction: 0, turnAt: 0 });
  }
}

/** One tick: every client sends its input, then every room ticks. */
function step(tick: number): void {
  clock += TICK_MS;
  for (const client of clients) {
    if (clock >= client.turnAt) {
      client.turnAt = clock + 800 + random() * 400;
      client.direction = Math.floor(random() * client.frames.length);
    }
    const frame = client.frames[client.direction]!;
    const seq = ++client.seq;
    // [0x93, INPUT, 0xce, seq (4 bytes), ...]
    frame[3] = seq >>> 24;
    frame[4] = seq >>> 16;
    frame[5] = seq >>> 8;
    frame[6] = seq;
    handleClientMessage(client.socket, frame, true, deps);
  }
  for (const runtime of runtimes) runtime.tick(tick, TICK_MS / 1000);
}

/** Garbage collections during the measured ticks: count and ms, minor (scavenges) and major. */
const gc = { minor: 0, major: 0, minorMs: 0, majorMs: 0 };
let gcWindow: [number, number] = [Number.POSITIVE_INFINITY, 0];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.startTime < gcWindow[0] || entry.startTime > gcWindow[1]) continue;
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    // NODE_PERFORMANCE_GC_MINOR is 1; everything else (major, incremental, weak callbacks) is major work.
    if (kind === 1) {
      gc.minor++;
      gc.minorMs += entry.duration;
    } else {
      gc.major++;
      gc.majorMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

function liveHeapMiB(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return -1;
  collect();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function run(): void {
  let tick = 0;
  for (let i = 0; i < warmup; i++) step(++tick);
  for (const client of sampled.values()) client.held = client.states = 0;
  const frames0 = sent.frames + sent.subscribers;
  const bytes0 = sent.bytes + sent.publishedBytes;
  metrics.tickPhase.reset(); // the phase sums cover the measured ticks only
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) step(++tick);
  const wallMs = performance.now() - t0;
  gcWindow = [t0, t0 + wallMs];
  const cpu = process.cpuUsage(cpu0);
  const clientTicks = clients.length * ticks;
  const result = {
    world,
    rooms,
    clients: clients.length,
    ticks,
    wallUsPerClientTick: (wallMs * 1000) / clientTicks,
    cpuUsPerClientTick: (cpu.user + cpu.system) / clientTicks,
    statesPerClientTick: (sent.frames + sent.subscribers - frames0) / clientTicks,
    bytesPerClientTick: (sent.bytes + sent.publishedBytes - bytes0) / clientTicks,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    /** The live heap: after a full collection when the run has --expose-gc, else -1. */
    liveHeapMiB: liveHeapMiB(),
    newSpaceMiB:
      (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0) /
      2 ** 20,
    gc,
    /** Entities a (sampled) client holds, on average over the measured ticks. */
    entitiesHeld:
      [...sampled.values()].reduce((sum, c) => sum + c.held / Math.max(1, c.states), 0) / sampled.size,
  };
  // GC entries are delivered after the synchronous run: report once they are in.
  setTimeout(async () => {
    // Where the tick's time went, per client-tick (wall time of each phase, from the node's own
    // histogram): `send` is the per-client work, the others are per room.
    const phases: Record<string, number> = {};
    for (const v of (await metrics.tickPhase.get()).values) {
      if (v.metricName?.endsWith('_sum')) phases[String(v.labels.phase)] = (v.value * 1e6) / clientTicks;
    }
    console.log(JSON.stringify({ ...result, phaseUsPerClientTick: phases }));
  }, 100);
}

if (values.callgrind) {
  const args = (n: number) => [
    ...['--rooms', String(rooms), '--ticks', String(n), '--warmup', String(warmup)],
    ...['--world', world, '--things', String(things), '--players', String(bigPlayers)],
  ];
  const script = fileURLToPath(import.meta.url);
  const one = callgrindInstructions(script, args(ticks));
  const two = callgrindInstructions(script, args(2 * ticks));
  const perClientTick = (two - one) / (rooms * playersPerRoom * ticks);
  const result = {
    world,
    rooms,
    clients: rooms * playersPerRoom,
    ticks,
    instructionsPerClientTick: Math.round(perClientTick),
  };
  console.log(values.json ? JSON.stringify(result) : `bench:tick: ${JSON.stringify(result)}`);
} else {
  run();
}
