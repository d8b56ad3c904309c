/**
 * Playing arena over real sockets with the SDK: join, move, see each other via deltas, drop and
 * reconnect within the grace period, match end with results. Runs on both transports.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError, GameClient } from '../shared/client/game-client.ts';
import type { MirrorEntity } from '../shared/protocol/delta-apply.ts';
import { startTestNode, stopAll, type TestNode } from './support/game.ts';
import { requireUws, skipUws } from './support/uws.ts';

const players = (client: GameClient): MirrorEntity[] =>
  [...client.state.entities.values()].filter((e) => e.type === 'player');
const avatarOf = (client: GameClient, playerId: string): MirrorEntity | undefined =>
  players(client).find((e) => e.owner === playerId);

describe.each(['ws', 'uws'] as const)('arena over %s', (transport) => {
  describe.skipIf(transport === 'uws' && skipUws())('', () => {
    let game: TestNode;
    const clients: GameClient[] = [];
    const connect = async (options: Parameters<typeof GameClient.connect>[0]) => {
      const client = await GameClient.connect({ pingIntervalMs: 0, ...options });
      clients.push(client);
      return client;
    };

    beforeAll(() => {
      if (transport === 'uws') requireUws();
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) client.close();
      await stopAll();
    });

    it('two players join, move, and see each other move through deltas', async () => {
      game = await startTestNode({ config: { transport } });
      expect(game.node.transport.kind).toBe(transport);
      const seatA = await game.devSeat({ name: 'alice' });
      const seatB = await game.devSeat({ name: 'bob', roomId: seatA.roomId });
      const alice = await connect({ url: seatA.url, seat: seatA.seat });
      const bob = await connect({ url: seatB.url, seat: seatB.seat });
      expect(alice.roomId).toBe(bob.roomId);

      await bob.next('state', () => players(bob).length === 2);
      await alice.next('state', () => players(alice).length === 2);
      const start = avatarOf(bob, alice.playerId)!;
      const startX = start.x as number;
      const startY = start.y as number;

      // Alice moves right-down for a few ticks; Bob must see her position change via deltas.
      const deltasSeen: boolean[] = [];
      bob.on('state', (s) => deltasSeen.push(!s.full));
      const dx = startX < 600 ? 1 : -1;
      let seq = 0;
      for (let i = 0; i < 5; i++) seq = alice.sendInput({ dx, dy: 1 });
      await bob.next('state', () => {
        const now = avatarOf(bob, alice.playerId)!;
        return Math.sign((now.x as number) - startX) === dx && (now.y as number) > startY;
      });
      expect(deltasSeen.some(Boolean)).toBe(true);
      await alice.next('state', (s) => s.ackSeq >= seq);
      expect(alice.ackSeq).toBe(seq);
      // Both mirrors agree on Alice's quantized position once they are on the same tick.
      const tick = Math.max(alice.tick, bob.tick) + 1;
      await Promise.all([
        alice.next('state', (s) => s.tick >= tick),
        bob.next('state', (s) => s.tick >= tick),
      ]);
      if (alice.tick === bob.tick) {
        expect(avatarOf(alice, alice.playerId)).toEqual(avatarOf(bob, alice.playerId));
      }
    });

    it('a dropped player reconnects within grace to the same seat, with a full snapshot', async () => {
      game = await startTestNode({ config: { transport, reconnectGraceMs: 5_000 } });
      const seatA = await game.devSeat({ name: 'alice' });
      const seatB = await game.devSeat({ name: 'bob', roomId: seatA.roomId });
      const alice = await connect({ url: seatA.url, seat: seatA.seat });
      const bob = await connect({ url: seatB.url, seat: seatB.seat });
      await alice.next('state', () => players(alice).length === 2);
      const bobEntity = avatarOf(alice, bob.playerId)!;

      const closed = bob.next('close');
      bob.close(4000, 'network drop'); // not 1000: the server must treat it as a drop, not a leave
      await closed;
      // The seat is held: Alice still sees Bob's avatar.
      await alice.next('state');
      expect(avatarOf(alice, bob.playerId)?.id).toBe(bobEntity.id);

      const again = await connect({ url: seatB.url, reconnect: bob.reconnectToken });
      expect(again.playerId).toBe(bob.playerId);
      const first = await again.next('state');
      expect(first.full).toBe(true);
      expect(avatarOf(again, bob.playerId)?.id).toBe(bobEntity.id);
      expect(players(again)).toHaveLength(2);
    });

    it('a reconnect after the grace period is refused and the seat is gone', async () => {
      game = await startTestNode({ config: { transport, reconnectGraceMs: 50 } });
      const seatA = await game.devSeat({ name: 'alice' });
      const seatB = await game.devSeat({ name: 'bob', roomId: seatA.roomId });
      const alice = await connect({ url: seatA.url, seat: seatA.seat });
      const bob = await connect({ url: seatB.url, seat: seatB.seat });
      await alice.next('state', () => players(alice).length === 2);
      bob.close(4000, 'network drop');
      await alice.next('state', () => players(alice).length === 1);
      await expect(connect({ url: seatB.url, reconnect: bob.reconnectToken })).rejects.toBeInstanceOf(
        ConnectError,
      );
    });

    it('a match ends with results for every player, reported once', async () => {
      game = await startTestNode({ config: { transport } });
      const seatA = await game.devSeat({ name: 'alice', options: { matchSeconds: 0.5, seed: 7 } });
      const alice = await connect({ url: seatA.url, seat: seatA.seat });
      const report = (await alice.next('matchEnd')) as { matchId: string; results: { playerId: string }[] };
      expect(report.results.map((r) => r.playerId)).toEqual([alice.playerId]);
      expect(game.reports).toHaveLength(1);
      expect(game.reports[0]?.matchId).toBe(report.matchId);
      expect(game.reports[0]?.mode).toBe('arena');
    });

    it('pings measure round-trip time', async () => {
      game = await startTestNode({ config: { transport } });
      const seat = await game.devSeat();
      const client = await connect({ url: seat.url, seat: seat.seat, pingIntervalMs: 1000 });
      const { rtt } = await client.next('pong');
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(client.rtt).toBe(rtt);
    });

    it('drains on stop: clients are closed with 1001 and new joins are refused', async () => {
      game = await startTestNode({ config: { transport } });
      const seat = await game.devSeat();
      const client = await connect({ url: seat.url, seat: seat.seat });
      await client.next('state');
      const closed = client.next('close');
      await game.node.stop();
      expect((await closed).code).toBe(1001);
    });
  });
});
