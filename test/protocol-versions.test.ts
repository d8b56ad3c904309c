/**
 * Protocol v1 and v2 clients in one room over real sockets: the node answers each in the version it
 * chose at the upgrade. v2 clients get the room's ROOM_DELTA once they hold the previous tick and
 * read their own ack from it; a v1 client never gets one, and its DELTAs carry its own ack. Runs on
 * both transports.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { encodeMessage } from '../shared/protocol/codec.ts';
import { MessageType, SUBPROTOCOL, SUBPROTOCOL_V1 } from '../shared/protocol/codes.ts';
import { startTestNode, stopAll } from './support/game.ts';
import { connectRaw } from './support/raw-client.ts';
import { requireUws, skipUws } from './support/uws.ts';

describe.each(['ws', 'uws'] as const)('protocol versions over %s', (transport) => {
  describe.skipIf(transport === 'uws' && skipUws())('', () => {
    beforeAll(() => {
      if (transport === 'uws') requireUws();
    });
    afterEach(stopAll);

    it('serves v1 and v2 clients in one room, each in the version it chose', async () => {
      const game = await startTestNode({ config: { transport } });
      const first = await game.devSeat({ name: 'ada' });
      const roomId = first.roomId;
      const ada = await GameClient.connect({ url: first.url, seat: first.seat, pingIntervalMs: 0 });
      const seatOf = async (name: string) =>
        `seat=${encodeURIComponent((await game.devSeat({ name, roomId })).seat)}`;
      const v2 = await connectRaw(first.url, {
        query: await seatOf('bob'),
        protocols: [SUBPROTOCOL, SUBPROTOCOL_V1],
      });
      const v1 = await connectRaw(first.url, { query: await seatOf('cyd') });
      expect([v2.ws.protocol, v1.ws.protocol]).toEqual([SUBPROTOCOL, SUBPROTOCOL_V1]);

      const adaSeq = ada.sendInput({ dx: 1, dy: 0 });
      ada.sendInput({ dx: 1, dy: 0 });
      v1.send(encodeMessage([MessageType.INPUT, 7, { dx: -1, dy: 0 }]));
      await ada.next('state', (s) => s.ackSeq >= adaSeq + 1);
      await expect.poll(() => v1.messages.some((m) => m[0] === MessageType.DELTA && m[3] === 7)).toBe(true);
      await v2.next(MessageType.ROOM_DELTA);

      const types = (messages: unknown[][]) => new Set(messages.map((m) => m[0]));
      expect(types(v1.messages)).not.toContain(MessageType.ROOM_DELTA);
      expect(types(v1.messages)).toContain(MessageType.SNAPSHOT);
      // bob's WELCOME gave slot 1 (ada took 0); the shared frames' tables are as long as the room.
      const welcome = v2.messages.find((m) => m[0] === MessageType.WELCOME)!;
      expect(welcome[9]).toBe(1);
      const roomDelta = v2.messages.find((m) => m[0] === MessageType.ROOM_DELTA)!;
      expect((roomDelta[3] as number[]).length).toBeGreaterThanOrEqual(2);
      expect(ada.ackSeq).toBe(adaSeq + 1);
      ada.close();
      v1.ws.close();
      v2.ws.close();
    });
  });
});
