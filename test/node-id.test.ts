/**
 * Two game node processes given one TICKFORGE_NODE_ID on one Redis: the second refuses to start,
 * naming the variable, and the first keeps its registration (real nodes, real redis-server).
 */
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { GameNode } from '../server/game/game-node.ts';
import { SeatTokens } from '../server/game/seat-token.ts';
import { arena } from '../server/games/arena/index.ts';
import { NodeIdTakenError } from '../server/store/errors.ts';
import { openRedisStore } from '../server/store/redis/index.ts';
import type { Store } from '../server/store/types.ts';
import { TEST_SECRET, testGameConfig } from './support/game.ts';
import { skipRedis, useRedisServer } from './support/redis-server.ts';

describe.skipIf(skipRedis())('game node ids on a shared directory', () => {
  const redis = useRedisServer();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const startNode = async (store: Store): Promise<GameNode> =>
    GameNode.start({
      config: testGameConfig({ nodeId: 'same-id' }),
      log: pino({ level: 'silent' }),
      tokens: new SeatTokens({ secret: TEST_SECRET }),
      rooms: [arena],
      directory: store.rooms,
      heartbeatMs: 1000,
      sendReport: async () => ({ kind: 'delivered' }),
    });

  test('a second node with a live node id refuses to start; the first stays registered', async () => {
    const store = await openRedisStore({ url: redis.server.url, prefix: 'node-id' });
    cleanup.push(() => store.close());
    const first = await startNode(store);
    cleanup.push(() => first.stop());
    const refused = await startNode(store).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(NodeIdTakenError);
    expect((refused as Error).message).toContain('TICKFORGE_NODE_ID');
    expect((await store.rooms.liveNodes()).map((n) => n.url)).toEqual([first.url]);
  });
});
