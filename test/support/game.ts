/**
 * Starting real game nodes for integration tests: port 0 on 127.0.0.1, a quiet logger, short
 * timeouts, and a dev-seat helper. Every node started here is stopped by stopAll().
 */
import { type Logger, pino } from 'pino';
import { type GameConfig, loadConfig } from '../../server/config.ts';
import { GameNode } from '../../server/game/game-node.ts';
import type { AnyRoomDefinition, MatchReport } from '../../server/game/room.ts';
import { SeatTokens } from '../../server/game/seat-token.ts';
import { arena } from '../../server/games/arena/index.ts';

export const TEST_SECRET = new TextEncoder().encode('test-secret-test-secret-test-secret-0123');

/** The defaults from loadConfig, adjusted for tests (dev seats on: most tests take seats through them). */
export function testGameConfig(overrides: Partial<GameConfig> = {}): GameConfig {
  return {
    ...loadConfig({}).game,
    host: '127.0.0.1',
    port: 0,
    transport: (process.env.TICKFORGE_TRANSPORT as GameConfig['transport'] | undefined) ?? 'auto',
    devSeats: true,
    emptyRoomTtlMs: 60_000,
    shutdownTimeoutMs: 2_000,
    ...overrides,
  };
}

export interface TestNode {
  readonly node: GameNode;
  readonly tokens: SeatTokens;
  readonly reports: MatchReport[];
  /** Base http URL of the node. */
  readonly http: string;
  /** Mint a seat token through POST /dev/seats. */
  devSeat(body?: Record<string, unknown>): Promise<DevSeat>;
}

export interface DevSeat {
  readonly url: string;
  readonly seat: string;
  readonly roomId: string;
  readonly playerId: string;
}

const running = new Set<GameNode>();

/** Start a game node for a test. */
export async function startTestNode(
  options: {
    config?: Partial<GameConfig>;
    rooms?: readonly AnyRoomDefinition[];
    now?: () => number;
    /** Where the node logs; default a quiet logger (TEST_LOG_LEVEL, silent unless set). */
    log?: Logger;
  } = {},
): Promise<TestNode> {
  const tokens = new SeatTokens({ secret: TEST_SECRET, ...(options.now ? { now: options.now } : {}) });
  const reports: MatchReport[] = [];
  const node = await GameNode.start({
    config: testGameConfig(options.config),
    log: options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    tokens,
    rooms: options.rooms ?? [arena],
    sendReport: async (report) => {
      reports.push(report);
      return { kind: 'delivered' };
    },
    ...(options.now ? { now: options.now } : {}),
  });
  running.add(node);
  const scheme = node.config.tls ? 'https' : 'http';
  const http = `${scheme}://127.0.0.1:${node.port}`;
  // Self-signed test certificates are for CN=localhost; the dev seat call goes to the same node.
  const seatBase = node.config.tls ? `https://localhost:${node.port}` : http;
  return {
    node,
    tokens,
    reports,
    http,
    async devSeat(body = {}) {
      const response = await fetchDevSeat(`${seatBase}/dev/seats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201)
        throw new Error(`dev seat failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as DevSeat;
    },
  };
}

/** Stop every node started by startTestNode (use in afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((node) => node.stop()));
  running.clear();
}

/** fetch, except for https test nodes, whose self-signed certificate fetch would refuse. */
async function fetchDevSeat(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) {
  if (!url.startsWith('https:')) return fetch(url, init);
  const { request } = await import('node:https');
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { ...init, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
