/**
 * StateSender through RoomRuntime with fake sockets and a wall clock at a realistic epoch value:
 * flow control at its exact thresholds, the transport dropping a frame, a throwing canSee or viewOf
 * (contained and counted), the ROOM_DELTA ack table past its first allocation, and the metrics
 * operators read (bytes, frames by kind, skipped sends, slow-consumer closes).
 */
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../shared/protocol/codec.ts';
import { CloseCode, MessageType } from '../../../shared/protocol/codes.ts';
import { StateMirror } from '../../../shared/protocol/delta-apply.ts';
import { applyStateMessage, isStateMessage } from '../../../shared/protocol/state-message.ts';
import { type Entity, shapeFromWire } from '../../../shared/protocol/state-shape.ts';
import { testGameConfig } from '../../../test/support/game.ts';
import type { GameConfig } from '../../config.ts';
import { GameMetrics } from '../metrics.ts';
import { type AnyRoomDefinition, defineRoom, type Player, Room, type ViewArea } from '../room.ts';
import { RoomRuntime } from '../room-runtime.ts';
import { compileRoomType } from '../room-type.ts';
import type { SeatSocket, SocketData } from '../seat.ts';

const shape = { dot: { owner: { type: 'string' }, x: { type: 'int' }, y: { type: 'int' } } } as const;
const input = {
  type: 'object',
  properties: { dx: { type: 'integer' } },
  required: ['dx'],
  additionalProperties: false,
} as const;

class DotRoom extends Room<typeof shape, { dx: number }> {
  readonly dots = new Map<string, { x: number }>();
  override onJoin(player: Player): void {
    this.dots.set(player.id, this.entities.spawn('dot', { owner: player.id, x: 0, y: 0 }));
  }
  override onInput(player: Player, value: { dx: number }): void {
    const dot = this.dots.get(player.id);
    if (dot) dot.x += value.dx;
  }
  override update(): void {}
}
/** canSee throws for other players' dots whose x is negative; hides nothing else. */
class ThrowingFilterRoom extends DotRoom {
  override canSee(player: Player, entity: Entity): boolean {
    if (entity.owner !== player.id && typeof entity.x === 'number' && entity.x < 0)
      throw new Error('canSee bug');
    return true;
  }
}
/** viewOf throws for player 'bad'; everyone else sees a small circle around the origin. */
class ThrowingViewRoom extends DotRoom {
  override viewOf(player: Player): ViewArea | undefined {
    if (player.id === 'bad') throw new Error('viewOf bug');
    return { x: 0, y: 0, radius: player.id === 'zero' ? 0 : 5 };
  }
}
/** Sets a view filter on itself once told to, as a room may at any tick. */
class LateFilterRoom extends DotRoom {
  static filterFrom = Number.POSITIVE_INFINITY;
  ticks = 0;
  override update(): void {
    if (++this.ticks >= LateFilterRoom.filterFrom) (this as Room<typeof shape>).canSee = () => true;
  }
}
const dots = defineRoom({ mode: 'dots', state: shape, input, room: DotRoom, maxPlayers: 40 });
const filtered = defineRoom({ mode: 'f', state: shape, input, room: ThrowingFilterRoom, maxPlayers: 8 });
const late = defineRoom({ mode: 'l', state: shape, input, room: LateFilterRoom, maxPlayers: 8 });
const viewing = defineRoom({ mode: 'v', state: shape, input, room: ThrowingViewRoom, maxPlayers: 8 });

const EPOCH = 1.7e12;

interface Client {
  readonly socket: SeatSocket & { buffered: number; accept: boolean; closedWith?: number; reason?: string };
  mirror: StateMirror | undefined;
  slot: number | undefined;
  ack: number;
  kinds: number[];
  bytes: number;
  /** Subscriptions to the room's state topic (the ROOM_DELTA). */
  subscribed: number;
}

function receive(client: Client, bytes: Uint8Array): void {
  const message = decodeMessage(bytes);
  if (message[0] === MessageType.WELCOME) {
    client.mirror = new StateMirror(shapeFromWire(message[6]));
    client.slot = message[9] as number;
    return;
  }
  if (!isStateMessage(message[0])) return;
  client.bytes += bytes.byteLength;
  client.ack = applyStateMessage(client.mirror!, message, client.ack, client.slot).ackSeq;
  client.kinds.push(message[0] as number);
}

async function metric(metrics: GameMetrics, name: string, labels: Record<string, string> = {}) {
  const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

describe('StateSender', () => {
  let now: number;
  let metrics: GameMetrics;

  beforeEach(() => {
    now = EPOCH;
    metrics = new GameMetrics();
  });

  function setup(config: Partial<GameConfig> = {}, definition: AnyRoomDefinition = dots) {
    const topics = new Map<string, Set<Client>>();
    const published: unknown[][] = [];
    const room = new RoomRuntime(
      'r',
      compileRoomType(definition, 20),
      {},
      {
        config: testGameConfig({
          slowClientBufferBytes: 1_000,
          slowClientCloseBytes: 10_000,
          slowClientTimeoutMs: 2_000,
          ...config,
        }),
        metrics,
        log: pino({ level: 'silent' }),
        now: () => now,
        publish: (topic, bytes) => {
          if (topic.startsWith('state/')) published.push(decodeMessage(bytes));
          for (const client of topics.get(topic) ?? []) receive(client, bytes);
        },
        recordMatch: async () => {},
        onDisposed: () => {},
      },
    );
    const join = (playerId: string, roomFrames = false): Client => {
      const seat = room.reserve({
        playerId,
        name: playerId,
        roomId: 'r',
        mode: definition.mode,
        nodeId: 'n',
        options: {},
      });
      if (!('sessionId' in seat)) throw new Error(seat.reason);
      const client: Client = {
        socket: {
          data: { seat, room, reconnectToken: 't', roomFrames } as SocketData,
          remoteAddress: '127.0.0.1',
          buffered: 0,
          accept: true,
          send(bytes) {
            if (!this.accept) return false;
            receive(client, bytes);
            return true;
          },
          bufferedAmount() {
            return this.buffered;
          },
          close(code, reason) {
            if (this.closedWith !== undefined) return;
            this.closedWith = code;
            this.reason = reason;
            room.detach(seat, this, code);
          },
          terminate() {},
          subscribe: (topic) => {
            if (topic.startsWith('state/')) client.subscribed++;
            if (!topics.has(topic)) topics.set(topic, new Set());
            topics.get(topic)!.add(client);
          },
          unsubscribe: (topic) => {
            if (topic.startsWith('state/')) client.subscribed--;
            topics.get(topic)?.delete(client);
          },
        },
        mirror: undefined,
        slot: undefined,
        ack: 0,
        kinds: [],
        bytes: 0,
        subscribed: 0,
      };
      room.attach(seat, client.socket);
      return client;
    };
    return { room, join, published };
  }

  it('sends at exactly the soft bound; skips above it, counted, and catches up with one delta', async () => {
    const { room, join } = setup();
    const a = join('a');
    a.socket.buffered = 1_000; // exactly slowClientBufferBytes: still sent
    room.tick(1, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT]);
    a.socket.buffered = 1_001;
    room.tick(2, 0.05);
    room.tick(3, 0.05);
    expect(a.kinds).toHaveLength(1);
    expect(await metric(metrics, 'tickforge_state_sends_skipped_total')).toBe(2);
    a.socket.buffered = 0;
    room.tick(4, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.DELTA]);
    expect(a.socket.closedWith).toBeUndefined();
    room.dispose();
  });

  it('closes a skipping client only past the hard bound or the timeout, counted as slow_consumer', async () => {
    const { room, join } = setup();
    const atHard = join('hard');
    const overHard = join('over');
    const slow = join('slow');
    room.tick(1, 0.05); // every client's last frame at EPOCH
    atHard.socket.buffered = 10_000; // exactly slowClientCloseBytes: skipped, not closed
    overHard.socket.buffered = 10_001;
    slow.socket.buffered = 5_000;
    now = EPOCH + 2_000; // exactly the timeout since the last frame: not yet
    room.tick(2, 0.05);
    expect(atHard.socket.closedWith).toBeUndefined();
    expect(overHard.socket.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(overHard.socket.data.closingBy).toBe('slow');
    expect(overHard.socket.reason).toBe('client too slow to receive state');
    expect(slow.socket.closedWith).toBeUndefined();
    now = EPOCH + 2_001;
    room.tick(3, 0.05);
    expect(slow.socket.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(atHard.socket.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(await metric(metrics, 'tickforge_rejected_total', { reason: 'slow_consumer' })).toBe(3);
    // The seat is held for the grace period: the close is not a kick.
    expect(room.seats.get('slow')?.player.connected).toBe(false);
    room.dispose();
  });

  it('counts the timeout from the last frame that went out, not from the join', () => {
    const { room, join } = setup();
    const a = join('a');
    for (let tick = 1; tick <= 5; tick++) {
      now += 1_500; // each tick sent: the last frame is never more than 1.5 s old
      room.tick(tick, 0.05);
    }
    a.socket.buffered = 5_000;
    now += 1_999;
    room.tick(6, 0.05);
    expect(a.socket.closedWith).toBeUndefined();
    room.dispose();
  });

  it('a frame the transport dropped leaves the baseline unknown: the next frame is a full snapshot', () => {
    const { room, join } = setup();
    const a = join('a');
    room.tick(1, 0.05);
    a.socket.accept = false;
    room.tick(2, 0.05);
    a.socket.accept = true;
    room.tick(3, 0.05);
    room.tick(4, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.SNAPSHOT, MessageType.DELTA]);
    room.dispose();
  });

  it('counts bytes and frames by kind for own frames and the shared room frame', async () => {
    const { room, join } = setup();
    const a = join('a', true);
    const b = join('b', true);
    const old = join('old', false);
    room.tick(1, 0.05); // three snapshots
    room.queueInput(a.socket.data.seat, 1, { dx: 3 });
    room.tick(2, 0.05); // one ROOM_DELTA for a and b, one DELTA for old
    room.tick(3, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.ROOM_DELTA, MessageType.ROOM_DELTA]);
    expect(old.kinds).toEqual([MessageType.SNAPSHOT, MessageType.DELTA, MessageType.DELTA]);
    expect(await metric(metrics, 'tickforge_state_frames_sent_total', { kind: 'snapshot' })).toBe(3);
    expect(await metric(metrics, 'tickforge_state_frames_sent_total', { kind: 'delta' })).toBe(6);
    // The room frame's bytes count once per member: what the sockets carried.
    expect(await metric(metrics, 'tickforge_state_bytes_sent_total')).toBe(a.bytes + b.bytes + old.bytes);
    expect(a.subscribed).toBe(1);
    room.dispose();
  });

  it('leaves the room frame when it skips a tick and rejoins it later', () => {
    const { room, join } = setup();
    const a = join('a', true);
    join('b', true);
    room.tick(1, 0.05);
    room.tick(2, 0.05);
    expect(a.subscribed).toBe(1);
    a.socket.buffered = 5_000;
    room.tick(3, 0.05);
    expect(a.subscribed).toBe(0);
    a.socket.buffered = 0;
    room.tick(4, 0.05); // its own delta
    expect(a.subscribed).toBe(0);
    room.tick(5, 0.05);
    expect(a.subscribed).toBe(1);
    room.dispose();
  });

  it("writes 0 in the ack table for a slot whose client is not in this tick's room frame", () => {
    const { room, join, published } = setup();
    const a = join('a', true);
    join('b', true);
    room.tick(1, 0.05);
    room.queueInput(a.socket.data.seat, 1, { dx: 1 });
    room.tick(2, 0.05);
    expect(published.at(-1)?.slice(0, 4)).toEqual([MessageType.ROOM_DELTA, 2, 1, [1, 0]]);
    a.socket.buffered = 5_000; // a skips tick 3: its slot must not repeat last tick's ack
    room.tick(3, 0.05);
    expect(published.at(-1)?.slice(0, 4)).toEqual([MessageType.ROOM_DELTA, 3, 1, [0, 0]]);
    room.dispose();
  });

  it('a room that starts filtering takes its clients out of the room frame', () => {
    LateFilterRoom.filterFrom = 3;
    const { room, join, published } = setup({}, late);
    const a = join('a', true);
    join('b', true);
    room.tick(1, 0.05);
    room.tick(2, 0.05);
    expect(a.subscribed).toBe(1);
    room.tick(3, 0.05); // filtered from now on: frames of its own (a snapshot first), no room frame
    room.tick(4, 0.05);
    expect(a.subscribed).toBe(0);
    expect(published).toHaveLength(1);
    expect(a.kinds).toEqual([
      MessageType.SNAPSHOT,
      MessageType.ROOM_DELTA,
      MessageType.SNAPSHOT,
      MessageType.DELTA,
    ]);
    room.dispose();
  });

  it('a room ticking from 0 shares its frame from tick 1', () => {
    const { room, join, published } = setup();
    const a = join('a', true);
    join('b', true);
    room.tick(0, 0.05);
    room.tick(1, 0.05);
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.ROOM_DELTA]);
    expect(published).toHaveLength(1);
    room.dispose();
  });

  it('grows the ack table past its first 16 slots: every client reads its own ack', () => {
    const { room, join } = setup();
    const clients = Array.from({ length: 35 }, (_, i) => join(`p${i}`, true));
    room.tick(1, 0.05);
    clients.forEach((c, i) => {
      room.queueInput(c.socket.data.seat, i + 1, { dx: 1 });
    });
    room.tick(2, 0.05);
    expect(clients.map((c) => c.kinds.at(-1))).toEqual(clients.map(() => MessageType.ROOM_DELTA));
    expect(clients.map((c) => c.ack)).toEqual(clients.map((_, i) => i + 1));
    // The next tick moves no ack: a stale table entry would show as a wrong ack.
    room.tick(3, 0.05);
    expect(clients.map((c) => c.ack)).toEqual(clients.map((_, i) => i + 1));
    room.dispose();
  });

  it('a throwing canSee is contained and counted, and hides the entity', async () => {
    const { room, join } = setup({}, filtered);
    const a = join('a', true);
    const b = join('b', true);
    room.tick(1, 0.05);
    expect(a.mirror!.entities.size).toBe(2);
    room.queueInput(b.socket.data.seat, 1, { dx: -5 });
    expect(() => room.tick(2, 0.05)).not.toThrow();
    // With a filter nobody shares a frame: each gets its own DELTA.
    expect(a.kinds).toEqual([MessageType.SNAPSHOT, MessageType.DELTA]);
    expect([...a.mirror!.entities.values()].map((e) => e.owner)).toEqual(['a']);
    expect([...b.mirror!.entities.values()].map((e) => e.owner).sort()).toEqual(['a', 'b']);
    expect(await metric(metrics, 'tickforge_room_hook_errors_total', { hook: 'canSee' })).toBe(1);
    room.dispose();
  });

  it('a throwing viewOf is contained and counted, and its player sees everything', async () => {
    const { room, join } = setup({}, viewing);
    const bad = join('bad');
    const zero = join('zero');
    const good = join('good');
    room.queueInput(good.socket.data.seat, 1, { dx: 50 }); // out of the 5-unit circle
    room.tick(1, 0.05);
    expect(bad.mirror!.entities.size).toBe(3);
    expect(zero.mirror!.entities.size).toBe(3); // radius 0: no area, everything
    expect([...good.mirror!.entities.values()].map((e) => e.owner).sort()).toEqual(['bad', 'zero']);
    expect(await metric(metrics, 'tickforge_room_hook_errors_total', { hook: 'viewOf' })).toBe(1);
    room.dispose();
  });
});
