/**
 * Interest management by distance (Room.viewOf) through RoomRuntime: each client's mirror holds
 * exactly the entities within its circle plus the unplaced ones, follows them in and out, and the
 * room's canSee is only asked about entities inside the circle (work follows the view, not the world).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../shared/protocol/codec.ts';
import { StateMirror } from '../../../shared/protocol/delta-apply.ts';
import { applyStateMessage, isStateMessage } from '../../../shared/protocol/state-message.ts';
import { type Entity, shapeFromWire } from '../../../shared/protocol/state-shape.ts';
import { testGameConfig } from '../../../test/support/game.ts';
import { GameMetrics } from '../metrics.ts';
import { defineRoom, type Player, Room, type ViewArea } from '../room.ts';
import { RoomRuntime } from '../room-runtime.ts';
import { compileRoomType } from '../room-type.ts';
import type { SocketData } from '../seat.ts';

const shape = {
  thing: { x: { type: 'number', quantize: 0.5 }, y: { type: 'int' } },
  clock: { left: { type: 'int' } },
} as const;

/** Things on a line at x = 0, 10, 20, ...; players look from (x, 0) with radius 15. */
class LineRoom extends Room<typeof shape, Record<string, never>> {
  static asked = 0;
  static hidden = new Set<number>();
  readonly lookFrom = new Map<string, number>();
  readonly things: Entity[] = [];
  override onCreate(): void {
    this.entities.spawn('clock', { left: 99 });
    for (let i = 0; i < 1000; i++) this.things.push(this.entities.spawn('thing', { x: i * 10, y: 0 }));
  }
  override onInput(): void {}
  override update(): void {}
  override viewOf(player: Player): ViewArea {
    return { x: this.lookFrom.get(player.id) ?? 0, y: 0, radius: 15 };
  }
  override canSee(_player: Player, entity: Entity): boolean {
    LineRoom.asked++;
    return !LineRoom.hidden.has(entity.id);
  }
}
const line = defineRoom({
  mode: 'line',
  state: shape,
  input: { type: 'object', additionalProperties: false } as never,
  room: LineRoom,
  maxPlayers: 4,
});

function setup() {
  let game: LineRoom | undefined;
  const Spy = class extends LineRoom {
    override onCreate(): void {
      super.onCreate();
      game = this;
    }
  };
  const room = new RoomRuntime(
    'r',
    compileRoomType({ ...line, room: Spy }, 20),
    {},
    {
      config: testGameConfig(),
      metrics: new GameMetrics(),
      log: pino({ level: 'silent' }),
      now: () => 1_000,
      publish: () => {},
      recordMatch: async () => {},
      onDisposed: () => {},
    },
  );
  const join = (playerId: string) => {
    const seat = room.reserve({
      playerId,
      name: playerId,
      roomId: 'r',
      mode: 'line',
      nodeId: 'n',
      options: {},
    });
    if (!('sessionId' in seat)) throw new Error(seat.reason);
    const client = { mirror: undefined as StateMirror | undefined, ack: 0, bytes: 0 };
    room.attach(seat, {
      data: { seat, room, reconnectToken: 't', roomFrames: true } as SocketData,
      remoteAddress: '127.0.0.1',
      send(bytes) {
        const message = decodeMessage(bytes);
        if (message[0] === 10) client.mirror = new StateMirror(shapeFromWire(message[6]));
        else if (isStateMessage(message[0])) {
          client.bytes += bytes.length;
          client.ack = applyStateMessage(client.mirror!, message, client.ack, message[9] as number).ackSeq;
        }
        return true;
      },
      bufferedAmount: () => 0,
      close() {},
      terminate() {},
      subscribe() {},
      unsubscribe() {},
    });
    return client;
  };
  return { room, join, game: () => game! };
}

const seen = (mirror: StateMirror) =>
  [...mirror.entities.values()].map((e) => (e.type === 'clock' ? 'clock' : e.x)).sort();

describe('viewOf', () => {
  it('sends each client what is within its circle, plus entities without a position', () => {
    LineRoom.hidden = new Set();
    const { room, join, game } = setup();
    const a = join('a');
    const b = join('b');
    game().lookFrom.set('b', 5_000);
    room.tick(1, 0.05);
    expect(seen(a.mirror!)).toEqual([0, 10, 'clock']);
    expect(seen(b.mirror!)).toEqual([4_990, 5_000, 5_010, 'clock']);
    // b walks away from 5,000 and a thing moves into a's circle.
    game().lookFrom.set('b', 5_012);
    game().things[500]!.x = 2;
    room.tick(2, 0.05);
    expect(seen(a.mirror!)).toEqual([0, 10, 2, 'clock']);
    expect(seen(b.mirror!)).toEqual([5_010, 5_020, 'clock']);
    room.dispose();
  });

  it('asks canSee only about the entities inside the circle, never about the whole world', () => {
    LineRoom.hidden = new Set([2]); // thing at x = 0 (ids: clock 1, things from 2)
    const { room, join } = setup();
    const a = join('a');
    LineRoom.asked = 0;
    for (let tick = 1; tick <= 10; tick++) room.tick(tick, 0.05);
    expect(seen(a.mirror!)).toEqual([10, 'clock']);
    // 10 ticks x (2 things in the circle + the clock): not 10 x 1,001.
    expect(LineRoom.asked).toBe(30);
    room.dispose();
  });
});
