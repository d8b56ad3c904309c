/**
 * Handlers of the admin API (contracts in ../contracts/admin.ts). Nodes and their rooms come from
 * the room directory (every node of a cluster heartbeats it) and from each node's own operator
 * routes; queues, boards and players from the store. Every action is logged with its operator.
 */
import type { Context, Hono } from 'hono';
import type { LiveNode } from '../../store/rooms.ts';
import { adminRoutes } from '../contracts/admin.ts';
import { NotFoundError, UnauthorizedError } from '../errors.ts';
import { requireAdmin } from '../ops/admin-auth.ts';
import { mountConsole } from '../ops/console-routes.ts';
import { requestContext } from '../ops/request-context.ts';
import type { AdminDeps, LobbyDeps, LobbyEnv } from '../types.ts';
import { validate } from '../validation.ts';

/** What a node's GET /rooms lists. */
interface NodeRoomSummary {
  readonly roomId: string;
  readonly mode: string;
  readonly players: number;
  readonly maxPlayers: number;
  readonly tick: number;
  readonly ended: boolean;
  readonly createdAt?: number;
}

/**
 * A node whose last heartbeat is older than this many of its intervals is `silent`: it has missed
 * two beats, and the directory drops it (and room placement stops choosing it) at three.
 */
export const SILENT_AFTER_BEATS = 2.5;

/** Is the node's heartbeat late? By its own announced interval, else the deployment's. */
export function heartbeatLate(node: LiveNode, now: number, deploymentHeartbeatMs = 1000): boolean {
  return now - node.seenAt > SILENT_AFTER_BEATS * (node.heartbeatMs ?? deploymentHeartbeatMs);
}

export function mountAdminRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps, admin: AdminDeps): void {
  const r = adminRoutes;
  const guard = requireAdmin(deps.leaderboardWrites, deps.tokens, admin.sessions);
  const { nodes: client } = admin;
  // Admin answers (the session's CSRF token, players, records) are never kept by a browser or proxy cache.
  app.use('/v1/admin/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  const audit = (c: Context<LobbyEnv>, action: string, target: Record<string, unknown>, outcome: string) => {
    deps.metrics?.adminActions.inc({ action, outcome });
    deps.log.info(
      { ...requestContext(), operator: c.var.operator, action, ...target, outcome },
      `admin: ${action}`,
    );
  };
  const liveNode = async (nodeId: string): Promise<LiveNode> => {
    const node = (await deps.store.rooms.liveNodes()).find((n) => n.nodeId === nodeId);
    if (!node) throw new NotFoundError('node-not-found', `No live game node ${nodeId}.`);
    return node;
  };
  /** The node a room lives on: the directory's word, else whichever live node has it. */
  const nodeOfRoom = async (roomId: string): Promise<LiveNode> => {
    const nodes = await deps.store.rooms.liveNodes();
    const record = await deps.store.rooms.find({ roomId });
    const listed = record && nodes.find((n) => n.nodeId === record.nodeId);
    if (listed) return listed;
    for (const node of nodes) {
      const { rooms } = await client
        .call<{ rooms: NodeRoomSummary[] }>(node, 'GET', '/rooms')
        .catch(() => ({ rooms: [] as NodeRoomSummary[] }));
      if (rooms.some((room) => room.roomId === roomId)) return node;
    }
    throw new NotFoundError('room-not-found', 'No live game node has this room.');
  };

  app.get(r.session.path, guard, (c) => {
    const session = c.get('adminSession');
    if (!session) throw new UnauthorizedError('No console session: the admin key alone has none.');
    return c.json({
      operator: session.operator,
      csrf: admin.sessions.csrf(session),
      expiresAt: session.expiresAt,
    });
  });
  if (admin.consoleDir !== undefined) mountConsole(app, deps, admin, guard);

  app.get(r.nodes.path, guard, async (c) => {
    const now = deps.now();
    const nodes = await Promise.all(
      (await deps.store.rooms.liveNodes()).map(async (node) => {
        const base = {
          nodeId: node.nodeId,
          url: node.url,
          players: node.players,
          rooms: node.rooms,
          maxRooms: node.maxRooms,
          seenAt: node.seenAt,
        };
        try {
          const status = await client.call<{
            state: 'live' | 'draining';
            connections: number;
            tick: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
            slippedTicks: number;
            overruns: number;
            uptimeSeconds: number;
          }>(node, 'GET', '/admin/status');
          const late = heartbeatLate(node, now, admin.heartbeatMs);
          return {
            ...base,
            state: late ? ('silent' as const) : status.state,
            connections: status.connections,
            tick: status.tick,
            slippedTicks: status.slippedTicks,
            overruns: status.overruns,
            uptimeSeconds: status.uptimeSeconds,
          };
        } catch {
          return { ...base, state: 'silent' as const };
        }
      }),
    );
    return c.json({ nodes });
  });

  app.get(r.rooms.path, guard, validate('query', r.rooms.request.query), async (c) => {
    const { nodeId } = c.req.valid('query');
    const now = deps.now();
    const nodes = (await deps.store.rooms.liveNodes()).filter((n) => !nodeId || n.nodeId === nodeId);
    const lists = await Promise.all(
      nodes.map(async (node) => {
        const { rooms } = await client
          .call<{ rooms: NodeRoomSummary[] }>(node, 'GET', '/rooms')
          .catch(() => ({ rooms: [] as NodeRoomSummary[] }));
        return rooms.map((room) => ({
          roomId: room.roomId,
          nodeId: node.nodeId,
          mode: room.mode,
          players: room.players,
          maxPlayers: room.maxPlayers,
          tick: room.tick,
          ended: room.ended,
          ageSeconds: Math.max(0, Math.round((now - (room.createdAt ?? now)) / 1000)),
        }));
      }),
    );
    return c.json({ rooms: lists.flat() });
  });

  app.get(r.room.path, guard, validate('param', r.room.request.params), async (c) => {
    const { roomId } = c.req.valid('param');
    const node = await nodeOfRoom(roomId);
    const detail = await client.call<Record<string, unknown>>(node, 'GET', '/admin/room', { roomId });
    const record = await deps.store.rooms.find({ roomId });
    return c.json({
      ...detail,
      nodeId: node.nodeId,
      ...(record ? { visibility: record.visibility } : {}),
    });
  });

  app.post(
    r.kick.path,
    guard,
    validate('param', r.kick.request.params),
    validate('json', r.kick.request.body),
    async (c) => {
      const { roomId } = c.req.valid('param');
      const { playerId } = c.req.valid('json');
      try {
        const node = await nodeOfRoom(roomId);
        const done = await client.call<{ closeCode: number }>(
          node,
          'POST',
          '/admin/kick',
          { roomId, playerId },
          c.var.operator,
        );
        audit(c, 'kick', { roomId, playerId, nodeId: node.nodeId }, 'done');
        return c.json({ action: 'kick', target: playerId, closeCode: done.closeCode });
      } catch (error) {
        audit(c, 'kick', { roomId, playerId }, 'failed');
        throw error;
      }
    },
  );

  app.post(r.dispose.path, guard, validate('param', r.dispose.request.params), async (c) => {
    const { roomId } = c.req.valid('param');
    try {
      const node = await nodeOfRoom(roomId);
      const done = await client.call<{ closeCode: number }>(
        node,
        'POST',
        '/admin/dispose',
        { roomId },
        c.var.operator,
      );
      audit(c, 'dispose', { roomId, nodeId: node.nodeId }, 'done');
      return c.json({ action: 'dispose', target: roomId, closeCode: done.closeCode });
    } catch (error) {
      audit(c, 'dispose', { roomId }, 'failed');
      throw error;
    }
  });

  app.post(r.drain.path, guard, validate('param', r.drain.request.params), async (c) => {
    const { nodeId } = c.req.valid('param');
    try {
      const node = await liveNode(nodeId);
      await client.call(node, 'POST', '/admin/drain', {}, c.var.operator);
      audit(c, 'drain', { nodeId }, 'done');
      return c.json({ action: 'drain', target: nodeId });
    } catch (error) {
      audit(c, 'drain', { nodeId }, 'failed');
      throw error;
    }
  });

  app.post(r.undrain.path, guard, validate('param', r.undrain.request.params), async (c) => {
    const { nodeId } = c.req.valid('param');
    try {
      const node = await liveNode(nodeId);
      await client.call(node, 'POST', '/admin/undrain', {}, c.var.operator);
      audit(c, 'undrain', { nodeId }, 'done');
      return c.json({ action: 'undrain', target: nodeId });
    } catch (error) {
      audit(c, 'undrain', { nodeId }, 'failed');
      throw error;
    }
  });

  app.get(r.queues.path, guard, async (c) => {
    const now = deps.now();
    const queues = new Map<
      string,
      { mode: string; region: string; tickets: number; players: number; oldest: number }
    >();
    for (const ticket of await deps.store.tickets.searching()) {
      const key = `${ticket.mode}\u0000${ticket.region}`;
      const queue = queues.get(key) ?? {
        mode: ticket.mode,
        region: ticket.region,
        tickets: 0,
        players: 0,
        oldest: now,
      };
      queue.tickets++;
      queue.players += ticket.players.length;
      queue.oldest = Math.min(queue.oldest, ticket.createdAt);
      queues.set(key, queue);
    }
    return c.json({
      queues: [...queues.values()].map(({ oldest, ...queue }) => ({
        ...queue,
        oldestWaitSeconds: Math.max(0, now - oldest) / 1000,
      })),
    });
  });

  app.get(r.boards.path, guard, (c) =>
    c.json({
      boards: admin.boards.map((b) => ({
        boardId: b.id,
        mode: b.mode,
        sort: b.sort,
        operator: b.operator,
        reset: b.reset,
      })),
    }),
  );

  app.get(
    r.board.path,
    guard,
    validate('param', r.board.request.params),
    validate('query', r.board.request.query),
    async (c) => {
      const { boardId } = c.req.valid('param');
      const { limit, cursor } = c.req.valid('query');
      const page = await deps.store.leaderboards.top(boardId, {
        limit: limit ? Number(limit) : 20,
        ...(cursor ? { cursor } : {}),
      });
      return c.json({
        boardId,
        period: page.period,
        records: page.records,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  );

  app.delete(r.removeRecord.path, guard, validate('param', r.removeRecord.request.params), async (c) => {
    const { boardId, playerId } = c.req.valid('param');
    const removed = await deps.store.leaderboards.remove(boardId, playerId);
    audit(c, 'remove-record', { boardId, playerId }, removed ? 'done' : 'not-found');
    if (!removed)
      throw new NotFoundError('record-not-found', 'The player has no record on this board this period.');
    return c.json({ action: 'remove-record', target: `${boardId}/${playerId}` });
  });

  app.post(r.resetBoard.path, guard, validate('param', r.resetBoard.request.params), async (c) => {
    const { boardId } = c.req.valid('param');
    const removed = await deps.store.leaderboards.resetPeriod(boardId);
    audit(c, 'reset-board', { boardId, removed }, 'done');
    return c.json({ action: 'reset-board', target: boardId, removed });
  });

  app.get(r.players.path, guard, validate('query', r.players.request.query), async (c) => {
    const { name, limit } = c.req.valid('query');
    const players = await deps.store.players.findByName(name, limit ? Number(limit) : undefined);
    return c.json({
      players: players.map((p) => ({ playerId: p.id, name: p.name, createdAt: p.createdAt })),
    });
  });

  app.get(r.player.path, guard, validate('param', r.player.request.params), async (c) => {
    const { playerId } = c.req.valid('param');
    const player = await deps.store.players.get(playerId);
    if (!player) throw new NotFoundError('player-not-found', 'No such player.');
    const records = [];
    for (const board of admin.boards) {
      const record = await deps.store.leaderboards.rank(board.id, playerId);
      if (record) {
        const { period } = await deps.store.leaderboards.top(board.id, { limit: 1 });
        records.push({ boardId: board.id, period, record });
      }
    }
    return c.json({ playerId: player.id, name: player.name, createdAt: player.createdAt, records });
  });
}
