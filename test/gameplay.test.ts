/**
 * Playing arena over real sockets with the SDK: join, move, see each other via deltas, drop and
 * reconnect within the grace period, match end with results. Runs on both transports.
 */
import type { JSONSchemaType } from 'ajv';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defineRoom, type Player, Room } from '../server/game/room.ts';
import { arena } from '../server/games/arena/index.ts';
import { ConnectError, GameClient, type WebSocketConstructor } from '../shared/client/game-client.ts';
import type { MirrorEntity } from '../shared/protocol/delta-apply.ts';
import { startTestNode, stopAll, type TestNode } from './support/game.ts';
import { refusal } from './support/raw-client.ts';
import { selfSignedCert } from './support/transports.ts';
import { requireUws, skipUws } from './support/uws.ts';

/** A room that announces joins to everyone and echoes each input back to its sender. */
class EchoRoom extends Room<{ marker: { n: { type: 'int' } } }, { say: string }> {
  override onJoin(player: Player): void {
    this.broadcast('joined', { name: player.name });
  }
  override onInput(player: Player, input: { say: string }): void {
    this.send(player, 'echo', input.say);
  }
  override update(): void {}
}
const echoInput: JSONSchemaType<{ say: string }> = {
  type: 'object',
  properties: { say: { type: 'string', maxLength: 100 } },
  required: ['say'],
  additionalProperties: false,
};
const echo = defineRoom({
  mode: 'echo',
  state: { marker: { n: { type: 'int' } } },
  input: echoInput,
  room: EchoRoom,
  maxPlayers: 4,
});

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
      // Both mirrors agree on Alice's quantized position at the same tick.
      const seen = (client: GameClient) => {
        const byTick = new Map<number, MirrorEntity>();
        client.on('state', (st) => byTick.set(st.tick, { ...avatarOf(client, alice.playerId)! }));
        return byTick;
      };
      const [fromAlice, fromBob] = [seen(alice), seen(bob)];
      const common = () => [...fromAlice.keys()].find((tick) => fromBob.has(tick));
      await expect.poll(common).toBeDefined();
      const tick = common()!;
      expect(fromAlice.get(tick)).toEqual(fromBob.get(tick));
    });

    it('a dropped player reconnects within grace to the same seat, with a full snapshot', async () => {
      game = await startTestNode({ config: { transport, reconnectGraceMs: 5_000 } });
      const seatA = await game.devSeat({ name: 'alice' });
      const seatB = await game.devSeat({ name: 'bob', roomId: seatA.roomId });
      const alice = await connect({ url: seatA.url, seat: seatA.seat });
      const bob = await connect({ url: seatB.url, seat: seatB.seat });
      await alice.next('state', () => players(alice).length === 2);
      const bobEntity = avatarOf(alice, bob.playerId)!;
      let seq = 0;
      for (let i = 0; i < 3; i++) seq = bob.sendInput({ dx: 0, dy: 0 });
      await bob.next('state', (s) => s.ackSeq >= seq);

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

      // Inputs continue after the seat's last seq: none is refused as stale, and they are applied.
      const errors: string[] = [];
      again.on('error', (e) => errors.push(e.code));
      const next = again.sendInput({ dx: 1, dy: 0 });
      expect(next).toBe(seq + 1);
      await again.next('state', (s) => s.ackSeq >= next);
      expect(errors).toEqual([]);

      // Each reconnect token works once: the one just used is now refused.
      const reused = await refusal(seatB.url, {
        query: `reconnect=${encodeURIComponent(bob.reconnectToken)}`,
      });
      expect(reused).toEqual({ status: 401, body: 'reconnect token was already used' });
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
      const late = await refusal(seatB.url, { query: `reconnect=${encodeURIComponent(bob.reconnectToken)}` });
      expect(late.status).toBe(410);
    });

    it('a refused upgrade rejects connect() with a ConnectError, also with the ws package', async () => {
      game = await startTestNode({ config: { transport } });
      const { url } = await game.devSeat();
      const connecting = GameClient.connect({
        url,
        seat: 'forged',
        WebSocket: WebSocket as unknown as WebSocketConstructor,
      });
      await expect(connecting).rejects.toBeInstanceOf(ConnectError);
    });

    it('a match ends with results for every player, reported once', async () => {
      game = await startTestNode({ config: { transport } });
      // A lobby's room, not a dev room: dev rooms are never reported.
      const seat = await game.tokens.mintSeat({
        playerId: 'alice',
        name: 'alice',
        roomId: 'room-1',
        mode: 'arena',
        nodeId: game.node.config.nodeId,
        options: { matchSeconds: 0.5, seed: 7 },
      });
      const alice = await connect({ url: game.node.url, seat });
      const report = (await alice.next('matchEnd')) as { matchId: string; results: { playerId: string }[] };
      expect(report.results.map((r) => r.playerId)).toEqual([alice.playerId]);
      await game.node.results.drain();
      expect(game.reports).toHaveLength(1);
      expect(game.reports[0]?.matchId).toBe(report.matchId);
      expect(game.reports[0]?.mode).toBe('arena');
    });

    it('delivers room events: broadcasts to everyone, sends to one', async () => {
      game = await startTestNode({ config: { transport }, rooms: [arena, echo] });
      const seatA = await game.devSeat({ mode: 'echo', name: 'ann' });
      const ann = await connect({ url: seatA.url, seat: seatA.seat });
      const annSawBen = ann.next(
        'event',
        (e) => e.name === 'joined' && (e.payload as { name: string }).name === 'ben',
      );
      const seatB = await game.devSeat({ mode: 'echo', name: 'ben', roomId: seatA.roomId });
      const ben = await connect({ url: seatB.url, seat: seatB.seat });
      await annSawBen;
      const benEvents: string[] = [];
      ben.on('event', (e) => benEvents.push(e.name));
      ann.sendInput({ say: 'hello' });
      expect(await ann.next('event', (e) => e.name === 'echo')).toEqual({ name: 'echo', payload: 'hello' });
      const sentAt = ann.tick;
      await ben.next('state', (s) => s.tick > sentAt + 1);
      expect(benEvents).not.toContain('echo');
    });

    it('pings measure round-trip time', async () => {
      game = await startTestNode({ config: { transport } });
      const seat = await game.devSeat();
      const client = await connect({ url: seat.url, seat: seat.seat, pingIntervalMs: 1000 });
      const { rtt } = await client.next('pong');
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(client.rtt).toBe(rtt);
    });

    it('serves wss when a key and certificate are configured', async () => {
      const tls = await selfSignedCert();
      try {
        game = await startTestNode({
          config: { transport, tls: { keyFile: tls.keyFile, certFile: tls.certFile } },
        });
        expect(game.node.url).toMatch(/^wss:\/\//);
        const seat = await game.devSeat();
        // The platform WebSocket cannot trust a test CA, so the SDK gets ws's, told to trust this certificate.
        const TrustingWebSocket = class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { ca: tls.cert });
          }
        } as unknown as WebSocketConstructor;
        const url = seat.url.replace('127.0.0.1', 'localhost');
        const client = await connect({ url, seat: seat.seat, WebSocket: TrustingWebSocket });
        const first = await client.next('state');
        expect(first.full).toBe(true);
      } finally {
        await tls.dispose();
      }
    });

    it('drains on stop: clients are closed with 1001', async () => {
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
