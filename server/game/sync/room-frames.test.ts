/**
 * ROOM_DELTA end to end through RoomRuntime: v2 clients on the common baseline get one published
 * frame and read their own ack from it; joins, v1 clients and clients that skipped ticks get frames
 * of their own. Each fake socket decodes what it gets with the client's own code (applyStateMessage).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../shared/protocol/codec.ts';
import { MessageType } from '../../../shared/protocol/codes.ts';
import { StateMirror } from '../../../shared/protocol/delta-apply.ts';
import { applyStateMessage, isStateMessage } from '../../../shared/protocol/state-message.ts';
import { shapeFromWire } from '../../../shared/protocol/state-shape.ts';
import { testGameConfig } from '../../../test/support/game.ts';
import { GameMetrics } from '../metrics.ts';
import { defineRoom, type Player, Room } from '../room.ts';
import { RoomRuntime } from '../room-runtime.ts';
import { compileRoomType } from '../room-type.ts';
import type { SeatSocket, SocketData } from '../seat.ts';

const shape = { dot: { owner: { type: 'string' }, x: { type: 'int' } } } as const;

class DotRoom extends Room<typeof shape, { dx: number }> {
  readonly dots = new Map<string, { x: number }>();
  override onJoin(player: Player): void {
    this.dots.set(player.id, this.entities.spawn('dot', { owner: player.id, x: 0 }));
  }
  override onInput(player: Player, input: { dx: number }): void {
    const dot = this.dots.get(player.id);
    if (dot) dot.x += input.dx;
  }
  override update(): void {}
}
const input = {
  type: 'object',
  properties: { dx: { type: 'integer' } },
  required: ['dx'],
  additionalProperties: false,
} as const;
const dots = defineRoom({ mode: 'dots', state: shape, input, room: DotRoom, maxPlayers: 8 });

/** A client as the SDK keeps it: mirror, ack, slot, and the state message types it got. */
interface Client {
  readonly socket: SeatSocket & { buffered: number };
  mirror: StateMirror | undefined;
  slot: number | undefined;
  ack: number;
  kinds: number[];
}

function receive(client: Client, bytes: Uint8Array): void {
  const message = decodeMessage(bytes);
  if (message[0] === MessageType.WELCOME) {
    client.mirror = new StateMirror(shapeFromWire(message[6]));
    client.slot = message[9] as number;
    return;
  }
  if (!isStateMessage(message[0])) return;
  client.ack = applyStateMessage(client.mirror!, message, client.ack, client.slot).ackSeq;
  client.kinds.push(message[0] as number);
}

function setup() {
  const topics = new Map<string, Set<Client>>();
  let publishes = 0;
  const room = new RoomRuntime(
    'r',
    compileRoomType(dots, 20),
    {},
    {
      config: testGameConfig({ slowClientBufferBytes: 1_000, slowClientCloseBytes: 100_000 }),
      metrics: new GameMetrics(),
      log: pino({ level: 'silent' }),
      now: () => 1_000,
      publish: (topic, bytes) => {
        if (topic.startsWith('state/')) publishes++;
        for (const client of topics.get(topic) ?? []) receive(client, bytes);
      },
      recordMatch: async () => {},
      onDisposed: () => {},
    },
  );
  const join = (playerId: string, roomFrames: boolean): Client => {
    const seat = room.reserve({
      playerId,
      name: playerId,
      roomId: 'r',
      mode: 'dots',
      nodeId: 'n',
      options: {},
    });
    if (!('sessionId' in seat)) throw new Error(seat.reason);
    const client: Client = {
      socket: {
        data: { seat, room, reconnectToken: 't', roomFrames } as SocketData,
        remoteAddress: '127.0.0.1',
        buffered: 0,
        send: (bytes) => {
          receive(client, bytes);
          return true;
        },
        bufferedAmount: () => client.socket.buffered,
        close() {},
        terminate() {},
        subscribe: (topic) => {
          if (!topics.has(topic)) topics.set(topic, new Set());
          topics.get(topic)!.add(client);
        },
        unsubscribe: (topic) => void topics.get(topic)?.delete(client),
      },
      mirror: undefined,
      slot: undefined,
      ack: 0,
      kinds: [],
    };
    room.attach(seat, client.socket);
    return client;
  };
  return { room, join, publishes: () => publishes };
}

const x = (client: Client, owner: string) =>
  [...client.mirror!.entities.values()].find((e) => e.owner === owner)?.x;

describe('ROOM_DELTA', () => {
  it('goes out once per tick to the v2 clients on the common baseline, each reading its own ack', () => {
    const { room, join, publishes } = setup();
    const a = join('a', true);
    const b = join('b', true);
    const old = join('old', false);
    expect([a.slot, b.slot, old.slot]).toEqual([0, 1, 2]);
    room.tick(1, 0.05);
    expect(publishes()).toBe(0); // everyone joined this tick: full snapshots, one each
    room.queueInput(a.socket.data.seat, 1, { dx: 1 });
    room.queueInput(a.socket.data.seat, 2, { dx: 2 });
    room.queueInput(b.socket.data.seat, 1, { dx: 5 });
    room.tick(2, 0.05);
    room.tick(3, 0.05);
    expect(publishes()).toBe(2);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.ROOM_DELTA, MessageType.ROOM_DELTA]);
    expect(old.kinds).toEqual([MessageType.SNAPSHOT, MessageType.DELTA, MessageType.DELTA]);
    expect([a.ack, b.ack, old.ack]).toEqual([2, 1, 0]);
    for (const client of [a, b, old]) expect([x(client, 'a'), x(client, 'b')]).toEqual([3, 5]);
    room.dispose();
  });

  it('takes a client that skipped ticks out of the room frame until its own delta catches it up', () => {
    const { room, join } = setup();
    const a = join('a', true);
    const b = join('b', true);
    room.tick(1, 0.05);
    room.tick(2, 0.05);
    a.socket.buffered = 5_000; // backed up: skips ticks 3 and 4
    room.queueInput(a.socket.data.seat, 1, { dx: 4 });
    room.tick(3, 0.05);
    room.tick(4, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.ROOM_DELTA]);
    a.socket.buffered = 0;
    room.tick(5, 0.05); // its own DELTA, spanning 2 -> 5
    room.tick(6, 0.05); // back in the room frame
    expect(a.kinds.slice(2)).toEqual([MessageType.DELTA, MessageType.ROOM_DELTA]);
    expect(a.mirror!.tick).toBe(6);
    expect(a.ack).toBe(1);
    expect(b.kinds).toEqual([MessageType.SNAPSHOT, ...Array(5).fill(MessageType.ROOM_DELTA)]);
    for (const client of [a, b]) expect(x(client, 'a')).toBe(4);
    room.dispose();
  });
});
