/**
 * `npm run bench:wire`: the game node against the raw-uWS floor on real sockets, in lock step, so
 * that their costs can be compared by instruction counts on a machine too busy for CPU time.
 *
 * The server side runs in this process: R arena rooms of 16 players on the real uWebSockets.js
 * transport, inbound frames through handleClientMessage, RoomRuntime.tick driven by the harness
 * (not a clock); or, with --system floor, a bare uWS.js app publishing one pre-encoded frame of
 * --frame-bytes per room per step. The clients (bench/lean/stepped-clients.ts) run in a child
 * process: each step every client sends one INPUT, the server waits until all have arrived, ticks
 * (or publishes), and the step ends when every client has its state. Under --callgrind the server
 * process runs under valgrind twice (T and 2T steps) and the difference is reported per
 * client-tick: the server's user-space instructions, native uWS.js included, kernel excluded.
 *
 *   npm run bench:wire -- [--rooms 16] [--ticks 100] [--warmup 50] [--system tickforge|floor]
 *                         [--frame-bytes 88] [--callgrind]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../server/config.ts';
import { handleClientMessage } from '../server/game/client-messages.ts';
import { GameMetrics } from '../server/game/metrics.ts';
import { RoomRuntime } from '../server/game/room-runtime.ts';
import { compileRoomType } from '../server/game/room-type.ts';
import type { Seat, SocketData } from '../server/game/seat.ts';
import { loadTransport } from '../server/game/transport/load.ts';
import { loadUws } from '../server/game/transport/uws-addon.ts';
import { arena } from '../server/games/arena/index.ts';
import { SUBPROTOCOL } from '../shared/protocol/codes.ts';
import { callgrindInstructions } from './callgrind.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '16' },
    ticks: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '50' },
    system: { type: 'string', default: 'tickforge' },
    'frame-bytes': { type: 'string', default: '88' },
    callgrind: { type: 'boolean', default: false },
  },
  strict: true,
});
const rooms = Number(values.rooms);
const ticks = Number(values.ticks);
const warmup = Number(values.warmup);
const frameBytes = Number(values['frame-bytes']);
const system = values.system;
const ROOM_SIZE = 16;
const clients = rooms * ROOM_SIZE;
if (
  !(rooms > 0 && ticks > 0 && warmup >= 0 && frameBytes > 0) ||
  (system !== 'tickforge' && system !== 'floor')
) {
  console.error('bench:wire: --rooms, --ticks, --frame-bytes > 0, --warmup >= 0, --system tickforge|floor');
  process.exit(2);
}

if (values.callgrind) {
  const script = fileURLToPath(import.meta.url);
  const args = (n: number) => [
    ...['--rooms', String(rooms), '--ticks', String(n), '--warmup', String(warmup)],
    ...['--system', system, '--frame-bytes', String(frameBytes)],
  ];
  const one = callgrindInstructions(script, args(ticks));
  const two = callgrindInstructions(script, args(2 * ticks));
  const perClientTick = Math.round((two - one) / (clients * ticks));
  console.log(
    JSON.stringify({ system, rooms, clients, ticks, frameBytes, instructionsPerClientTick: perClientTick }),
  );
  process.exit(0);
}

/** Inputs received so far, and who waits for a count of them. */
let received = 0;
let waitFor = Number.POSITIVE_INFINITY;
let arrived: () => void = () => {};
const countInput = () => {
  if (++received >= waitFor) {
    waitFor = Number.POSITIVE_INFINITY;
    arrived();
  }
};
const inputs = (target: number) =>
  new Promise<void>((resolve) => {
    if (received >= target) return resolve();
    waitFor = target;
    arrived = resolve;
  });

/** Starts the server; returns its port and what one step does after the inputs are in. */
async function tickforge(): Promise<{ port: number; step: (tick: number) => void }> {
  const config = { ...loadConfig({}).game, host: '127.0.0.1', port: 0 };
  const metrics = new GameMetrics();
  const log = pino({ level: 'silent' });
  const deps = { metrics, log, now: () => clock, serverTime: () => clock };
  const type = compileRoomType(arena, config.defaultTickRate);
  const { factory } = await loadTransport('uws');
  const runtimes: RoomRuntime[] = [];
  const seats: { seat: Seat; room: RoomRuntime }[] = [];
  const transport = factory<SocketData>(
    {
      host: '127.0.0.1',
      port: 0,
      wsPath: '/ws',
      maxPayloadBytes: config.maxPayloadBytes,
      maxHttpBodyBytes: 1024,
      idleTimeoutSeconds: 120,
    },
    {
      upgrade: async (request) => {
        const place = seats[Number(request.query.get('seat'))];
        if (!place) return { accept: false, status: 404, reason: 'no such seat' };
        return {
          accept: true,
          protocol: SUBPROTOCOL,
          data: { seat: place.seat, room: place.room, reconnectToken: 'r', roomFrames: true },
        };
      },
      open: (socket) => socket.data.room.attach(socket.data.seat, socket),
      message: (socket, bytes, isBinary) => {
        handleClientMessage(socket, bytes, isBinary, deps);
        countInput();
      },
      close: (socket, code) => socket.data.room.detach(socket.data.seat, socket, code),
    },
  );
  for (let r = 0; r < rooms; r++) {
    const room = new RoomRuntime(
      `wire-${r}`,
      type,
      { seed: r + 1, matchSeconds: 1_000_000 },
      {
        config,
        metrics,
        log,
        now: () => clock,
        publish: (topic, bytes) => transport.publish(topic, bytes),
        recordMatch: async () => {},
        onDisposed: () => {},
      },
    );
    runtimes.push(room);
    for (let p = 0; p < ROOM_SIZE; p++) {
      const seat = room.reserve({
        playerId: `p${p}`,
        name: `p${p}`,
        roomId: room.id,
        mode: 'arena',
        nodeId: 'n',
        options: {},
      });
      if (!('player' in seat)) throw new Error(seat.reason);
      seat.clearTimer(); // under valgrind connecting can take longer than the first-connect wait
      seats.push({ seat, room });
    }
  }
  const { port } = await transport.listen();
  return {
    port,
    step: (tick) => {
      for (const room of runtimes) room.tick(tick, 0.05);
    },
  };
}

/** The floor: one pre-encoded frame per room per step, published; inputs only counted. */
async function floor(): Promise<{ port: number; step: (tick: number) => void }> {
  const { App, DISABLED, us_socket_local_port } = await loadUws();
  const frame = new Uint8Array(frameBytes);
  for (let i = 0; i < frameBytes; i++) frame[i] = (i * 131 + 7) & 0xff;
  const topics = Array.from({ length: rooms }, (_, r) => `room/${r}`);
  const app = App().ws<{ room: number }>('/ws', {
    compression: DISABLED,
    maxPayloadLength: 4096,
    idleTimeout: 120,
    maxBackpressure: 4 * 1024 * 1024,
    upgrade: (res, req, context) => {
      const room = Math.floor(Number(req.getQuery('seat')) / ROOM_SIZE);
      res.upgrade(
        { room },
        req.getHeader('sec-websocket-key'),
        SUBPROTOCOL,
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      ws.subscribe(topics[ws.getUserData().room]!);
    },
    message: () => countInput(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (socket) =>
      socket ? resolve(us_socket_local_port(socket)) : reject(new Error('listen')),
    ),
  );
  return {
    port,
    step: () => {
      for (const topic of topics) app.publish(topic, frame, true);
    },
  };
}

let clock = 1_000_000;
const server = system === 'floor' ? await floor() : await tickforge();
const child = spawn(
  process.execPath,
  [
    '--experimental-strip-types',
    '--no-warnings',
    fileURLToPath(new URL('lean/stepped-clients.ts', import.meta.url)),
    String(server.port),
    String(clients),
    system === 'floor' ? 'next-message' : 'state',
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const expect = async (want: string) => {
  const { value } = await lines.next();
  if (value !== want) throw new Error(`clients said ${String(value)}, expected ${want}`);
};
await expect('ready');
// The first state (a full snapshot) reaches every client on the first step.
for (let tick = 1; tick <= warmup + ticks; tick++) {
  clock += 50;
  child.stdin!.write('step\n');
  await expect('sent');
  await inputs(tick * clients);
  server.step(tick);
  await expect('got');
}
child.stdin!.write('quit\n');
console.log(JSON.stringify({ system, rooms, clients, steps: warmup + ticks, inputs: received }));
process.exit(0);
