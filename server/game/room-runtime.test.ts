import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeMessage } from '../../shared/protocol/codec.ts';
import { CloseCode, MessageType } from '../../shared/protocol/codes.ts';
import type { Entity } from '../../shared/protocol/state-shape.ts';
import { testGameConfig } from '../../test/support/game.ts';
import type { GameConfig } from '../config.ts';
import { GameMetrics } from './metrics.ts';
import { defineRoom, type Player, Room } from './room.ts';
import { RoomRuntime } from './room-runtime.ts';
import { compileRoomType } from './room-type.ts';
import type { Seat, SeatSocket, SocketData } from './seat.ts';

const shape = { dot: { owner: { type: 'string' }, x: { type: 'int' } } } as const;
type Shape = typeof shape;

/** A room that moves each player's dot by its input and can be told to fail. */
class DotRoom extends Room<Shape, { dx: number }> {
  static failUpdate = false;
  static failInput = false;
  static visibleX: number | undefined;
  static drops: string[] = [];
  static applied: string[] = [];
  readonly dots = new Map<string, { x: number }>();
  override onJoin(player: Player): void {
    this.dots.set(player.id, this.entities.spawn('dot', { owner: player.id, x: 0 }));
  }
  override onInput(player: Player, input: { dx: number }): void {
    if (DotRoom.failInput && input.dx < 0) throw new Error('bad input handler');
    DotRoom.applied.push(player.id);
    const dot = this.dots.get(player.id);
    if (dot) dot.x += input.dx;
  }
  override update(): void {
    if (DotRoom.failUpdate) throw new Error('update bug');
  }
  override onDrop(player: Player): void {
    DotRoom.drops.push(player.id);
  }
}
class FilteredRoom extends DotRoom {
  override canSee(_player: Player, entity: Entity): boolean {
    return typeof entity.x === 'number' && entity.x < (DotRoom.visibleX ?? Number.POSITIVE_INFINITY);
  }
}
const input = {
  type: 'object',
  properties: { dx: { type: 'integer' } },
  required: ['dx'],
  additionalProperties: false,
} as const;
const dots = defineRoom({ mode: 'dots', state: shape, input, room: DotRoom, maxPlayers: 8 });
const filtered = defineRoom({ mode: 'filtered', state: shape, input, room: FilteredRoom, maxPlayers: 8 });

interface FakeSocket extends SeatSocket {
  frames: unknown[][];
  buffered: number;
  closedWith: { code: number; reason: string } | undefined;
}

function fakeSocket(room: RoomRuntime, seat: Seat): FakeSocket {
  const socket: FakeSocket = {
    data: { seat, room, reconnectToken: 'r' } as SocketData,
    remoteAddress: '127.0.0.1',
    frames: [],
    buffered: 0,
    closedWith: undefined,
    send(bytes) {
      this.frames.push(decodeMessage(bytes));
      return true;
    },
    bufferedAmount() {
      return this.buffered;
    },
    close(code, reason) {
      if (this.closedWith) return;
      this.closedWith = { code, reason };
      room.detach(seat, this, code); // like the real transports: the close handler runs at once
    },
    terminate() {},
    subscribe() {},
    unsubscribe() {},
  };
  return socket;
}

describe('RoomRuntime', () => {
  let now = 0;
  let disposed: string[] = [];
  let metrics: GameMetrics;

  beforeEach(() => {
    now = 1_000;
    disposed = [];
    metrics = new GameMetrics();
    DotRoom.failUpdate = false;
    DotRoom.failInput = false;
    DotRoom.visibleX = undefined;
    DotRoom.drops = [];
    DotRoom.applied = [];
  });
  afterEach(() => vi.useRealTimers());

  function makeRoom(config: Partial<GameConfig> = {}, definition = dots) {
    const gameConfig = testGameConfig(config);
    return new RoomRuntime(
      'room-1',
      compileRoomType(definition, 20),
      {},
      {
        config: gameConfig,
        metrics,
        log: pino({ level: 'silent' }),
        now: () => now,
        publish: () => {},
        recordMatch: async () => {},
        onDisposed: (room) => void disposed.push(room.id),
      },
    );
  }

  function join(room: RoomRuntime, playerId: string) {
    const seat = room.reserve({
      playerId,
      name: playerId,
      roomId: room.id,
      mode: room.mode,
      nodeId: 'n',
      options: {},
    });
    if (!('sessionId' in seat)) throw new Error(seat.reason);
    const socket = fakeSocket(room, seat);
    room.attach(seat, socket);
    return { seat, socket };
  }

  const states = (socket: FakeSocket) =>
    socket.frames.filter((f) => f[0] === MessageType.SNAPSHOT || f[0] === MessageType.DELTA);

  it('welcomes, then sends a full snapshot, then deltas', () => {
    const room = makeRoom();
    const { socket } = join(room, 'a');
    expect(socket.frames[0]?.[0]).toBe(MessageType.WELCOME);
    room.tick(1, 0.05);
    room.tick(2, 0.05);
    expect(states(socket).map((f) => f[0])).toEqual([MessageType.SNAPSHOT, MessageType.DELTA]);
    room.dispose();
  });

  it('applies at most maxInputsPerTick inputs per client per tick, acknowledging each', () => {
    const room = makeRoom({ maxInputsPerTick: 4 });
    const { seat, socket } = join(room, 'a');
    for (let seq = 1; seq <= 10; seq++) expect(room.queueInput(seat, seq, { dx: 1 })).toBeUndefined();
    const acks: unknown[] = [];
    for (let tick = 1; tick <= 3; tick++) {
      room.tick(tick, 0.05);
      const last = states(socket).at(-1)!;
      acks.push(last[0] === MessageType.SNAPSHOT ? last[2] : last[3]);
    }
    expect(acks).toEqual([4, 8, 10]);
    room.dispose();
  });

  it('bounds the input queue: past 4 ticks worth, inputs are refused', () => {
    const room = makeRoom({ maxInputsPerTick: 2 });
    const { seat } = join(room, 'a');
    for (let seq = 1; seq <= 8; seq++) expect(room.queueInput(seat, seq, { dx: 1 })).toBeUndefined();
    expect(room.queueInput(seat, 9, { dx: 1 })?.code).toBe('input_rate');
    room.dispose();
  });

  it('lets a slow client skip ticks, then covers the gap with one delta from its baseline', () => {
    const room = makeRoom({ slowClientBufferBytes: 1_000, slowClientCloseBytes: 100_000 });
    const { seat, socket } = join(room, 'a');
    room.tick(1, 0.05);
    socket.buffered = 5_000; // over the soft bound: skip
    room.queueInput(seat, 1, { dx: 3 });
    room.tick(2, 0.05);
    room.tick(3, 0.05);
    expect(states(socket)).toHaveLength(1);
    socket.buffered = 0;
    room.tick(4, 0.05);
    const delta = states(socket).at(-1)!;
    expect(delta.slice(0, 4)).toEqual([MessageType.DELTA, 4, 3, 1]); // tick 4, spanning 3 ticks, ack 1
    expect(socket.closedWith).toBeUndefined();
    room.dispose();
  });

  it('closes a client over the hard bound, or slow for too long, with 4008 and holds its seat', () => {
    const room = makeRoom({
      slowClientBufferBytes: 1_000,
      slowClientCloseBytes: 10_000,
      slowClientTimeoutMs: 2_000,
    });
    const hard = join(room, 'hard');
    const slow = join(room, 'slow');
    room.tick(1, 0.05);
    hard.socket.buffered = 20_000;
    slow.socket.buffered = 5_000;
    room.tick(2, 0.05);
    expect(hard.socket.closedWith?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(slow.socket.closedWith).toBeUndefined();
    now += 2_500;
    room.tick(3, 0.05);
    expect(slow.socket.closedWith?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(room.seats.get('hard')?.player.connected).toBe(false); // held for the grace period
    room.dispose();
  });

  it('sends a full snapshot when the baseline fell out of history', () => {
    const room = makeRoom({
      snapshotHistoryTicks: 4,
      slowClientBufferBytes: 1_000,
      slowClientTimeoutMs: 60_000,
    });
    const { socket } = join(room, 'a');
    room.tick(1, 0.05);
    socket.buffered = 5_000;
    for (let tick = 2; tick <= 8; tick++) room.tick(tick, 0.05);
    socket.buffered = 0;
    room.tick(9, 0.05);
    expect(states(socket).map((f) => f[0])).toEqual([MessageType.SNAPSHOT, MessageType.SNAPSHOT]);
    room.dispose();
  });

  it('contains a throwing hook, counts it, and closes a room whose update keeps failing', () => {
    const room = makeRoom();
    const a = join(room, 'a');
    DotRoom.failInput = true;
    room.queueInput(a.seat, 1, { dx: -1 });
    room.queueInput(a.seat, 2, { dx: 5 });
    room.tick(1, 0.05);
    const dot = [...(states(a.socket)[0]![3] as unknown[])];
    expect(dot.slice(0, 4)).toEqual([1, 0, 'a', 5]); // the failing input was skipped, the next applied
    DotRoom.failUpdate = true;
    for (let tick = 2; tick < 21; tick++) room.tick(tick, 0.05);
    expect(disposed).toEqual([]);
    room.tick(21, 0.05);
    expect(disposed).toEqual(['room-1']);
    expect(a.socket.closedWith?.code).toBe(CloseCode.INTERNAL_ERROR);
  });

  it('releases a seat on a consented leave and disposes the room after it stays empty', () => {
    vi.useFakeTimers();
    const room = makeRoom({ emptyRoomTtlMs: 1_000 });
    const a = join(room, 'a');
    now += 60_000; // played for a minute
    room.detach(a.seat, a.socket, CloseCode.NORMAL);
    expect(room.seats.size).toBe(0);
    vi.advanceTimersByTime(999);
    expect(disposed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(disposed).toEqual(['room-1']);
  });

  it('an empty room waits no longer than it was in use: left after 200 ms, gone 200 ms later', () => {
    vi.useFakeTimers();
    const room = makeRoom({ emptyRoomTtlMs: 30_000 });
    const a = join(room, 'a');
    now += 200;
    const b = join(room, 'b'); // a later join does not restart the clock
    room.detach(a.seat, a.socket, CloseCode.NORMAL);
    room.detach(b.seat, b.socket, CloseCode.NORMAL);
    vi.advanceTimersByTime(199);
    expect(disposed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(disposed).toEqual(['room-1']);
  });

  it('a room nobody joined is disposed as soon as its reserved seat lapses, without the empty-room TTL', () => {
    vi.useFakeTimers();
    const room = makeRoom({ emptyRoomTtlMs: 30_000 });
    const seat = room.reserve({
      playerId: 'a',
      name: 'a',
      roomId: room.id,
      mode: room.mode,
      nodeId: 'n',
      options: {},
    });
    expect('sessionId' in seat).toBe(true);
    vi.advanceTimersByTime(15_000); // the seat's socket never opened
    expect(room.seats.size).toBe(0);
    vi.advanceTimersByTime(1); // the next turn of the event loop, not 30 s later
    expect(disposed).toEqual(['room-1']);
  });

  it('keeps a dropped seat for the grace period, then releases it', () => {
    vi.useFakeTimers();
    const room = makeRoom({ reconnectGraceMs: 500 });
    const a = join(room, 'a');
    room.detach(a.seat, a.socket, 1006);
    expect(room.seats.get('a')?.player.connected).toBe(false);
    vi.advanceTimersByTime(500);
    expect(room.seats.has('a')).toBe(false);
    room.dispose();
  });

  it('discards inputs still queued when a connection drops, so onDrop is the last word', () => {
    const room = makeRoom({ maxInputsPerTick: 1 });
    const a = join(room, 'a');
    for (let seq = 1; seq <= 3; seq++) room.queueInput(a.seat, seq, { dx: 1 });
    room.tick(1, 0.05); // applies seq 1 only
    room.detach(a.seat, a.socket, 1006);
    room.tick(2, 0.05);
    room.tick(3, 0.05);
    expect(DotRoom.applied).toEqual(['a']);
    expect(DotRoom.drops).toEqual(['a']);
    // The dropped inputs count as handled: a reconnect's WELCOME lastSeq and the acks agree.
    expect(a.seat.ackSeq).toBe(3);
    room.dispose();
  });

  it('moves a seat to a newer connection, closing the old one with 4010 without a drop', () => {
    const room = makeRoom();
    const a = join(room, 'a');
    const second = fakeSocket(room, a.seat);
    room.attach(a.seat, second);
    expect(a.socket.closedWith?.code).toBe(CloseCode.REPLACED);
    expect(a.seat.socket).toBe(second);
    expect(a.seat.player.connected).toBe(true);
    expect(DotRoom.drops).toEqual([]);
    room.tick(1, 0.05);
    expect(states(second)[0]?.[0]).toBe(MessageType.SNAPSHOT);
    room.dispose();
  });

  it('on dispose, releases every seat (connected or in grace) before onDispose', () => {
    const order: string[] = [];
    const room = makeRoom({ reconnectGraceMs: 60_000 });
    const a = join(room, 'a');
    const b = join(room, 'b');
    room.detach(b.seat, b.socket, 1006); // b is in its grace period
    const proto = DotRoom.prototype as unknown as { onLeave?: unknown; onDispose?: unknown };
    proto.onLeave = (player: Player, consented: boolean) => order.push(`leave ${player.id} ${consented}`);
    proto.onDispose = () => order.push('dispose');
    try {
      room.dispose(CloseCode.GOING_AWAY, 'bye');
    } finally {
      delete proto.onLeave;
      delete proto.onDispose;
    }
    expect(order).toEqual(['leave a false', 'leave b false', 'dispose']);
    expect(a.socket.closedWith?.code).toBe(CloseCode.GOING_AWAY);
    expect(room.seats.size).toBe(0);
  });

  it('refuses a seat beyond maxPlayers with 409', () => {
    const room = makeRoom();
    for (let i = 0; i < 8; i++) join(room, `p${i}`);
    const refused = room.reserve({
      playerId: 'late',
      name: 'late',
      roomId: 'room-1',
      mode: 'dots',
      nodeId: 'n',
      options: {},
    });
    expect(refused).toEqual({ status: 409, reason: 'room is full (8 players)' });
    room.dispose();
  });

  it('sends each player only what canSee allows, removing entities that leave the view', () => {
    const room = makeRoom({}, filtered);
    const a = join(room, 'a');
    const b = join(room, 'b');
    DotRoom.visibleX = 10;
    room.tick(1, 0.05);
    expect((states(a.socket)[0]![3] as unknown[]).filter((v) => v === 'a' || v === 'b')).toEqual(['a', 'b']);
    room.queueInput(b.seat, 1, { dx: 50 }); // b walks out of view
    room.tick(2, 0.05);
    const delta = states(a.socket).at(-1)!;
    expect(delta[6]).toEqual([2]); // removed: b's dot (id 2)
    room.dispose();
  });
});

describe('RoomRuntime match end', () => {
  it('publishes MATCH_END only once the report is durable', async () => {
    class EndingRoom extends DotRoom {
      override update(): void {
        this.endMatch([{ playerId: 'a', name: 'a', score: 1 }]);
      }
    }
    const ending = defineRoom({ mode: 'ending', state: shape, input, room: EndingRoom, maxPlayers: 2 });
    const events: string[] = [];
    let durable: () => void = () => {};
    const room = new RoomRuntime(
      'room-1',
      compileRoomType(ending, 20),
      {},
      {
        config: testGameConfig(),
        metrics: new GameMetrics(),
        log: pino({ level: 'silent' }),
        now: () => 1,
        publish: (_topic, bytes) => void events.push(`publish ${String(decodeMessage(bytes)[0])}`),
        recordMatch: (report) => {
          events.push(`record ${report.results.length}`);
          return new Promise((resolve) => (durable = resolve));
        },
        onDisposed: () => {},
      },
    );
    room.tick(1, 0.05);
    room.tick(2, 0.05);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['record 1']); // the write is not on disk yet: nobody has heard
    durable();
    await vi.waitFor(() => expect(events).toEqual(['record 1', `publish ${MessageType.MATCH_END}`]));
    room.dispose();
  });
});
