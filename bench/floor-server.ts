/**
 * The floor: the least a game server on uWebSockets.js could do for the same clients. A bare uWS.js
 * app, no framework: sockets on /ws are grouped into rooms of --room-size by arrival order, and
 * every --period-ms one fixed-step timer publishes one pre-encoded --frame-bytes binary frame to
 * every room's topic. Client messages are ignored. POST /dev/seats answers a fake seat so the bots
 * (in --raw mode) run against it unchanged.
 *
 * Same control protocol as bench/game-server.ts: `{"port":...}` on stdout once listening; stdin
 * commands `reset`, `stats` (publish-loop duration per wake-up, slipped periods), `quit`.
 */

import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadUws } from '../server/game/transport/uws-addon.ts';
import { SUBPROTOCOL } from '../shared/protocol/codes.ts';

const { App, DISABLED, us_socket_local_port } = await loadUws();

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'frame-bytes': { type: 'string', default: '208' },
    'room-size': { type: 'string', default: '16' },
    'period-ms': { type: 'string', default: '50' },
  },
  strict: true,
});

function intArg(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`floor-server: --${name} must be an integer from ${min} to ${max}, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const port = intArg('port', values.port, 0, 65535);
const frameBytes = intArg('frame-bytes', values['frame-bytes'], 1, 65536);
const roomSize = intArg('room-size', values['room-size'], 1, 10_000);
const periodMs = intArg('period-ms', values['period-ms'], 1, 10_000);

/** The one frame every room gets every period; its content does not matter, its size does. */
const frame = new Uint8Array(frameBytes);
for (let i = 0; i < frameBytes; i++) frame[i] = (i * 131 + 7) & 0xff;

const topics: string[] = [];
let arrivals = 0;
let connections = 0;
let url = '';

const app = App()
  .ws<{ room: number }>('/ws', {
    compression: DISABLED,
    maxPayloadLength: 4096,
    idleTimeout: 32,
    sendPingsAutomatically: true,
    maxBackpressure: 4 * 1024 * 1024,
    upgrade: (res, req, context) => {
      const offered = req
        .getHeader('sec-websocket-protocol')
        .split(',')
        .map((p) => p.trim());
      const room = Math.floor(arrivals++ / roomSize);
      if (room === topics.length) topics.push(`room/${room}`);
      res.upgrade(
        { room },
        req.getHeader('sec-websocket-key'),
        offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : '',
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      connections++;
      ws.subscribe(topics[ws.getUserData().room]!);
    },
    message: () => {},
    close: () => {
      connections--;
    },
  })
  .post('/dev/seats', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    res.onData((_chunk, isLast) => {
      if (!isLast || aborted) return;
      const seat = arrivals;
      res.cork(() => {
        res
          .writeStatus('201 Created')
          .writeHeader('content-type', 'application/json')
          .end(
            JSON.stringify({
              url,
              seat: 'x',
              roomId: `floor-${Math.floor(seat / roomSize)}`,
              playerId: `p${seat}`,
            }),
          );
      });
    });
  })
  .any('/*', (res) => {
    res.writeStatus('404 Not Found').end('not found');
  });

// One fixed-step timer for every room, like a game loop: period k is due at origin + k * period.
const loop = createHistogram({ lowest: 1, highest: 10_000_000, figures: 3 });
let slipped = 0;
let slippedAtReset = 0;
let wakeups = 0;
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
loopDelay.enable();
const origin = performance.now();
let done = 0;
function publishDue(): void {
  const now = performance.now();
  const due = Math.floor((now - origin) / periodMs);
  if (due > done) {
    slipped += due - done - 1;
    done = due;
    const started = performance.now();
    for (const topic of topics) app.publish(topic, frame, true);
    loop.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
    wakeups++;
  }
  setTimeout(publishDue, Math.max(0, origin + (done + 1) * periodMs - performance.now()));
}

app.listen('127.0.0.1', port, (listenSocket) => {
  if (listenSocket === false) {
    console.error(`floor-server: could not listen on 127.0.0.1:${port}`);
    process.exit(1);
  }
  const actual = us_socket_local_port(listenSocket);
  url = `ws://127.0.0.1:${actual}/ws`;
  setTimeout(publishDue, periodMs);
  write({
    port: actual,
    transport: 'uws-floor',
    node: process.version,
    execPath: process.execPath,
    frameBytes,
  });
});

function write(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const quit = () => process.exit(0);
const commands: Record<string, () => void> = {
  reset() {
    loop.reset();
    loopDelay.reset();
    slippedAtReset = slipped;
    wakeups = 0;
    write({ ok: 'reset' });
  },
  stats() {
    const ms = (us: number) => (loop.count > 0 ? us / 1000 : 0);
    const lag = (ns: number) => (loopDelay.count > 0 ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0);
    write({
      transport: 'uws-floor',
      node: process.version,
      execPath: process.execPath,
      ticks: wakeups,
      tickP50Ms: ms(loop.percentile(50)),
      tickP99Ms: ms(loop.percentile(99)),
      tickMaxMs: ms(loop.max),
      loopDelayP99Ms: lag(loopDelay.percentile(99)),
      loopDelayMaxMs: lag(loopDelay.max),
      memory: Object.fromEntries(
        Object.entries(process.memoryUsage()).map(([key, bytes]) => [key, Math.round(bytes / 104857.6) / 10]),
      ),
      overruns: 0,
      slipped: slipped - slippedAtReset,
      rooms: topics.length,
      connections,
    });
  },
  quit,
};
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const command = commands[line.trim()];
  if (command) command();
  else write({ error: `unknown command "${line.trim()}" (reset | stats | quit)` });
});
input.on('close', quit);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
