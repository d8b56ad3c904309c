/**
 * How the admin API judges and reaches game nodes, against a lobby on a real HTTP server and a
 * stand-in node (a real HTTP server answering the node's /admin/* routes): a node is reached at the
 * internal URL it announces, not at its public WebSocket URL; it turns `silent` after missing two of
 * its own heartbeats (its announced interval, else the deployment's), never after a fixed time.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../server/store/rooms.ts';
import { startLobby, type TestLobby } from '../lobby/support.ts';

const ADMIN_KEY = 'an-admin-key-for-the-admin-nodes-tests';
const SERVER_KEY = 'a-server-key-for-the-admin-nodes-tests';

/** Requests the stand-in node received: method, path and operator header. */
const received: { method: string; path: string; operator: string; auth: string }[] = [];
let stand: Server;
let standUrl = '';
let lobby: TestLobby;

beforeAll(async () => {
  stand = createServer((request: IncomingMessage, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    received.push({
      method: request.method ?? '',
      path,
      operator: String(request.headers['x-tickforge-operator'] ?? ''),
      auth: String(request.headers.authorization ?? ''),
    });
    response.setHeader('content-type', 'application/json');
    if (path === '/admin/status') {
      response.end(
        JSON.stringify({
          state: 'live',
          connections: 0,
          tick: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 },
          slippedTicks: 0,
          overruns: 0,
          uptimeSeconds: 1,
        }),
      );
    } else if (path === '/admin/drain') {
      // Something answering at the node's address that sends the lobby elsewhere.
      response.statusCode = 307;
      response.setHeader('location', '/elsewhere');
      response.end();
    } else if (path === '/admin/undrain') {
      response.statusCode = 409;
      response.setHeader('content-type', 'application/problem+json');
      response.end(
        JSON.stringify({ type: 'https://tickforge.dev/problems/node-stopping', detail: 'stopping' }),
      );
    } else {
      response.end(JSON.stringify({ rooms: [] }));
    }
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  standUrl = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
  lobby = await startLobby({
    leaderboardWrites: { serverKey: SERVER_KEY, adminKey: ADMIN_KEY, boardsForMode: () => [] },
    heartbeatMs: 4000,
  });
});
afterAll(async () => {
  await lobby.close();
  await new Promise<void>((resolve) => stand.close(() => resolve()));
});
afterEach(async () => {
  received.length = 0;
  // Leave the directory empty for the next case.
  for (const node of await lobby.store.rooms.liveNodes()) {
    await lobby.store.rooms.heartbeat(node, [], 0);
  }
});

const admin = (path: string, method = 'GET') =>
  fetch(`${lobby.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-tickforge-operator': 'night-shift' },
  });
/** A node whose public URL is a proxy nobody listens on (port 1), with its admin routes at the stand-in. */
const node = (extra: Partial<NodeStatus> = {}): NodeStatus => ({
  nodeId: 'node-a',
  url: 'wss://127.0.0.1:1/node-a/ws',
  adminUrl: standUrl,
  players: 0,
  rooms: 0,
  maxRooms: 10,
  ...extra,
});
const state = async () => {
  const { nodes } = (await (await admin('/v1/admin/nodes')).json()) as { nodes: { state: string }[] };
  return nodes[0]?.state;
};

describe('the admin API and game nodes', () => {
  it("reaches a node at its announced internal URL, not its public WebSocket URL's origin", async () => {
    await lobby.store.rooms.heartbeat(node({ heartbeatMs: 1000 }), [], 3000);
    expect(await state()).toBe('live');
    expect(received).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/admin/status', auth: `Bearer ${ADMIN_KEY}` }),
    );
  });

  it('never follows a redirect with the admin key: the node did not answer (502)', async () => {
    await lobby.store.rooms.heartbeat(node({ heartbeatMs: 1000 }), [], 3000);
    const response = await admin('/v1/admin/nodes/node-a/drain', 'POST');
    expect(response.status).toBe(502);
    expect(received.map((r) => r.path)).not.toContain('/elsewhere');
  });

  it('turns a node silent after two and a half of its own heartbeat intervals', async () => {
    await lobby.store.rooms.heartbeat(node({ heartbeatMs: 10_000 }), [], 30_000);
    lobby.clock.now += 24_000; // 2.4 beats: late, but not missing
    expect(await state()).toBe('live');
    lobby.clock.now += 2_000; // 2.6 beats
    expect(await state()).toBe('silent');
  });

  it("judges a node that announces no interval by the deployment's heartbeat", async () => {
    const { heartbeatMs: _, ...old } = node();
    await lobby.store.rooms.heartbeat(old, [], 12_000);
    lobby.clock.now += 9_000; // 2.25 beats of the deployment's 4 s
    expect(await state()).toBe('live');
    lobby.clock.now += 2_000; // 2.75 beats
    expect(await state()).toBe('silent');
  });

  it("a node's refusal to undrain (it is shutting down) is a 409 naming why, logged with the operator", async () => {
    await lobby.store.rooms.heartbeat(node({ heartbeatMs: 1000 }), [], 3000);
    const response = await admin('/v1/admin/nodes/node-a/undrain', 'POST');
    expect(response.status, await response.clone().text()).toBe(409);
    expect(((await response.json()) as { type: string }).type).toMatch(/node-stopping$/);
    expect(received).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/admin/undrain', operator: 'night-shift' }),
    );
    const lines = lobby.logs.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'admin: undrain',
        operator: 'night-shift',
        nodeId: 'node-a',
        outcome: 'failed',
      }),
    );
  });
});
