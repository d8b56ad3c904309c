/** A lobby on a real HTTP server (127.0.0.1, port 0) over an in-memory store, with captured logs. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { createLobbyApp, type LeaderboardWrites, type LobbyEnv } from '../../server/lobby/app.ts';
import { createAccessTokens } from '../../server/lobby/tokens.ts';
import { IN_MEMORY, openEmbeddedStore } from '../../server/store/embedded/index.ts';
import type { BoardConfig, Store } from '../../server/store/types.ts';

/** A running lobby: its base URL, app (to add test-only routes), clock and log lines. */
export interface TestLobby {
  readonly url: string;
  readonly app: Hono<LobbyEnv>;
  readonly store: Store;
  readonly clock: { now: number };
  readonly logs: string[];
  close(): Promise<void>;
}

/** Shared by every test lobby so tokens can be forged with a different one. */
export const TEST_SECRET = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

/** What a test lobby is started with; every field has a default. */
export interface TestLobbyOptions {
  readonly maxBodyBytes?: number;
  readonly ttlMs?: number;
  readonly boards?: readonly BoardConfig[];
  readonly leaderboardWrites?: LeaderboardWrites;
}

/** Start a lobby; the options override the defaults (no boards, no write keys). */
export async function startLobby(options: TestLobbyOptions = {}): Promise<TestLobby> {
  const { boards = [], ...deps } = options;
  const clock = { now: Date.UTC(2026, 10, 22, 12) };
  const now = () => clock.now;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const store = await openEmbeddedStore({ dataDir: IN_MEMORY, now, boards });
  const tokens = createAccessTokens({
    secret: TEST_SECRET,
    now,
    ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}),
  });
  const app = createLobbyApp({ store, now, tokens, log, ...deps });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    clock,
    logs,
    async close() {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await store.close();
    },
  };
}

/** POST a JSON value (or a raw string body) and read the answer. */
export async function postJson(url: string, body: unknown, raw = false): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

/** A problem+json answer's body, after checking the content type. */
export async function readProblem(response: Response): Promise<{
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}> {
  if (response.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(
      `expected problem+json, got ${response.headers.get('content-type')}: ${await response.text()}`,
    );
  }
  return response.json();
}
