/**
 * ReconnectingClient: the retry logic against a scripted fake WebSocket with manual timers, then a
 * drop -> reconnect -> same seat round trip (and a refusal after the grace period) on a real node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestNode, stopAll } from '../../test/support/game.ts';
import { CloseCode, MessageType } from '../protocol/codes.ts';
import type { MirrorEntity } from '../protocol/delta-apply.ts';
import { ClockSync } from './clock-sync.ts';
import type { StateUpdate, WebSocketConstructor } from './game-client.ts';
import {
  type ConnectionStatus,
  ReconnectingClient,
  type ReconnectingClientOptions,
  type Timers,
} from './reconnecting-client.ts';
import { FakeSocket, nextTask } from './testing/fake-socket.ts';

/** Timers the test runs by hand; running one advances `now` by its delay. */
class ManualTimers implements Timers {
  now = 0;
  readonly delays: number[] = [];
  #next = 1;
  readonly #pending = new Map<number, { callback: () => void; ms: number }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#pending.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  get pending(): number {
    return this.#pending.size;
  }
  runNext(): void {
    const [id, timer] = [...this.#pending][0]!;
    this.#pending.delete(id);
    this.delays.push(timer.ms);
    this.now += timer.ms;
    timer.callback();
  }
}

function fakeClient(overrides: Partial<ReconnectingClientOptions> = {}) {
  const timers = new ManualTimers();
  const client = new ReconnectingClient({
    url: 'ws://game.test/ws',
    seat: 'SEAT',
    pingIntervalMs: 0,
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    timers,
    now: () => timers.now,
    random: () => 1, // no jitter: delays are the nominal ones
    ...overrides,
  });
  const statuses: ConnectionStatus[] = [];
  client.on('status', (s) => statuses.push(s));
  return { client, timers, statuses };
}

async function openFake(overrides: Partial<ReconnectingClientOptions> = {}) {
  const fake = fakeClient(overrides);
  const opening = fake.client.open();
  FakeSocket.last.welcome('T1');
  await opening;
  // GameClient hands over what arrived with WELCOME in the next task; let it, so the test's frames
  // below are applied as they are sent.
  await nextTask();
  return fake;
}

const until = (client: ReconnectingClient, state: ConnectionStatus['state']) =>
  client.next('status', (s) => s.state === state);
/** Listen first, then act: the fake server's events are dispatched synchronously. */
const statusAfter = (client: ReconnectingClient, state: ConnectionStatus['state'], action: () => void) => {
  const status = until(client, state);
  action();
  return status;
};

describe('ReconnectingClient (fake socket)', () => {
  afterEach(() => {
    FakeSocket.sockets = [];
  });

  it('reconnects after a drop with the latest token, keeping one mirror', async () => {
    const { client, timers, statuses } = await openFake();
    expect(FakeSocket.last.url).toBe('ws://game.test/ws?seat=SEAT');
    FakeSocket.last.receive([MessageType.SNAPSHOT, 1, 0, [1, 0, 10, 2, 0, 20]]);
    const dot = client.state.entities.get(1);
    expect(client.sendInput({ n: 1 })).toBe(1);
    expect(client.sendInput({ n: 2 })).toBe(2);

    const reconnecting = await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(1006));
    expect(reconnecting).toMatchObject({ attempt: 1, code: 1006, deadline: 10_000 });
    expect(client.sendInput({ n: 3 })).toBeUndefined();

    timers.runNext();
    expect(FakeSocket.last.url).toBe('ws://game.test/ws?reconnect=T1');
    const connected = until(client, 'connected');
    // WELCOME and the full snapshot in one read: the snapshot still reaches a listener attached
    // once the client reports the reconnection.
    FakeSocket.last.welcome('T2', 2);
    FakeSocket.last.receive([MessageType.SNAPSHOT, 9, 2, [1, 0, 11]]);
    expect(await connected).toEqual({ state: 'connected', reconnected: true, lastSeq: 2 });
    // The full snapshot applies to the same mirror: entity 2 is reported removed, 1 is the same object.
    const state = client.next('state');
    expect(await state).toMatchObject({ full: true, tick: 9, changed: [1], removed: [2], created: [] });
    expect(client.state.entities.get(1)).toBe(dot);
    expect(client.sendInput({ n: 3 })).toBe(3);

    // A slow-consumer close holds the seat too.
    await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(4008));
    timers.runNext();
    expect(FakeSocket.last.url).toBe('ws://game.test/ws?reconnect=T2');
    expect(statuses.map((s) => s.state)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'connected',
      'reconnecting',
    ]);
  });

  it('backs off exponentially until the grace period is over', async () => {
    const { client, timers } = await openFake({ graceMs: 10_000, retryInitialMs: 100, retryMaxMs: 2000 });
    await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(1006));
    const closed = until(client, 'closed');
    while (timers.pending > 0) {
      timers.runNext();
      const next = client.next('status');
      FakeSocket.last.drop(1006); // every attempt fails like a network error
      await next;
    }
    expect(timers.delays).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(await closed).toMatchObject({ state: 'closed', reason: 'grace_expired', code: 1006 });
  });

  it('applies jitter to each delay', async () => {
    const { client, timers } = await openFake({ random: () => 0 });
    await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(1006));
    timers.runNext();
    expect(timers.delays).toEqual([50]);
  });

  it('stops when a refusal says the seat is gone, and retries through a 503', async () => {
    const { client, timers } = await openFake();
    await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(1006));
    timers.runNext();
    const retry = client.next('status');
    FakeSocket.last.refuse(503);
    expect(await retry).toMatchObject({ state: 'reconnecting', attempt: 2 });
    timers.runNext();
    const closed = until(client, 'closed');
    FakeSocket.last.refuse(410);
    expect(await closed).toMatchObject({ reason: 'refused', code: 1006 });
    expect(timers.pending).toBe(0);
  });

  it.each([
    [CloseCode.NORMAL, 'match over'],
    [CloseCode.GOING_AWAY, 'node shutting down'],
    [CloseCode.REPLACED, 'replaced by a newer connection'],
    [CloseCode.ROOM_CLOSED, 'room closed'],
    [CloseCode.KICKED, 'kicked by an operator'],
    [CloseCode.RATE_LIMITED, 'too many inputs'],
  ])('does not reconnect after close %i (the seat is released)', async (code, reason) => {
    const { client, timers } = await openFake();
    const closed = until(client, 'closed');
    FakeSocket.last.drop(code, reason);
    expect(await closed).toEqual({ state: 'closed', reason: 'server', code, detail: reason });
    expect(timers.pending).toBe(0);
  });

  it('dropConnection() closes like a network failure (4000) and reconnects', async () => {
    const { client, timers } = await openFake();
    const dropped = FakeSocket.last;
    await statusAfter(client, 'reconnecting', () => client.dropConnection());
    expect(dropped.closedWith).toBe(4000);
    timers.runNext();
    FakeSocket.last.welcome('T2');
    await until(client, 'connected');
  });

  it('close() while reconnecting stops for good, also with an attempt in flight', async () => {
    const { client, timers } = await openFake();
    await statusAfter(client, 'reconnecting', () => FakeSocket.last.drop(1006));
    timers.runNext();
    const attempt = FakeSocket.last;
    client.close();
    expect(client.status).toMatchObject({ state: 'closed', reason: 'closed' });
    attempt.welcome('T2'); // the attempt succeeds after all: it is closed at once
    await Promise.resolve();
    expect(attempt.closedWith).toBe(CloseCode.NORMAL);
    expect(timers.pending).toBe(0);
  });

  it('leave() sends LEAVE and ends closed', async () => {
    const { client } = await openFake();
    const socket = FakeSocket.last;
    const left = client.leave();
    expect(socket.sent.at(-1)).toEqual([MessageType.LEAVE]);
    socket.drop(CloseCode.NORMAL, 'left');
    await left;
    expect(client.status).toEqual({ state: 'closed', reason: 'closed', code: 1000, detail: 'left' });
  });

  it('a failed first connection rejects open() and ends connect_failed', async () => {
    const { client, statuses } = fakeClient();
    const opening = client.open();
    FakeSocket.last.refuse(401);
    await expect(opening).rejects.toMatchObject({ name: 'ConnectError', status: 401 });
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'closed']);
    expect(client.status).toMatchObject({ reason: 'connect_failed' });
    expect(() => client.state).toThrow(/not connected yet/);
  });
});

const players = (client: ReconnectingClient): MirrorEntity[] =>
  [...client.state.entities.values()].filter((e) => e.type === 'player');
const avatarOf = (client: ReconnectingClient, playerId: string) =>
  players(client).find((e) => e.owner === playerId);

describe('ReconnectingClient (real game node)', () => {
  const clients: ReconnectingClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await stopAll();
  });

  it('a dropped connection comes back to the same seat, entity and input numbering', async () => {
    const game = await startTestNode({ config: { transport: 'ws', reconnectGraceMs: 5_000 } });
    const seat = await game.devSeat({ name: 'ada' });
    const client = new ReconnectingClient({ url: seat.url, seat: seat.seat, pingIntervalMs: 0 });
    clients.push(client);
    await client.open();
    await client.next('state', () => avatarOf(client, seat.playerId) !== undefined);
    const avatar = avatarOf(client, seat.playerId)!;
    const firstToken = client.client!.reconnectToken;
    const seq = client.sendInput({ dx: 1, dy: 0 })!;
    await client.next('state', (s) => s.ackSeq >= seq);

    // The WELCOME and the first state can arrive in one task: listen for the state synchronously.
    const first = new Promise<StateUpdate>((resolve) => {
      const off = client.on('status', (status) => {
        if (status.state !== 'connected') return;
        off();
        expect(status).toEqual({ state: 'connected', reconnected: true, lastSeq: seq });
        client.once('state', resolve);
      });
    });
    client.dropConnection();
    expect(await first).toMatchObject({ full: true });
    expect(client.playerId).toBe(seat.playerId);
    expect(client.client!.reconnectToken).not.toBe(firstToken);
    expect(avatarOf(client, seat.playerId)).toBe(avatar); // same entity, same mirror object

    const next = client.sendInput({ dx: 0, dy: 1 })!;
    expect(next).toBe(seq + 1);
    await client.next('state', (s) => s.ackSeq >= next);

    // Pongs of the new connection are forwarded, with what clock sync needs.
    const clock = new ClockSync({ tickRate: client.tickRate });
    clock.track(client);
    const pong = client.next('pong');
    client.client!.ping();
    expect(await pong).toMatchObject({ serverTime: expect.any(Number), tick: expect.any(Number) });
    expect(clock.sampleCount).toBe(1);
    expect(Math.abs(clock.serverTick()! - client.state.tick)).toBeLessThan(3);
  });

  it('a reconnect refused after the grace period ends it as refused (ws reports the status)', async () => {
    const game = await startTestNode({ config: { transport: 'ws', reconnectGraceMs: 50 } });
    const seatA = await game.devSeat({ name: 'ann' });
    const seatB = await game.devSeat({ name: 'ben', roomId: seatA.roomId });
    // Hold every retry until the test lets it go, so the server's grace is surely over by then.
    let release: (() => void) | undefined;
    const timers: Timers = {
      setTimeout: (callback) => {
        release = callback;
        return 1;
      },
      clearTimeout: () => undefined,
    };
    const ann = new ReconnectingClient({ url: seatA.url, seat: seatA.seat, pingIntervalMs: 0 });
    const ben = new ReconnectingClient({
      url: seatB.url,
      seat: seatB.seat,
      pingIntervalMs: 0,
      timers,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    clients.push(ann, ben);
    await Promise.all([ann.open(), ben.open()]);
    await ann.next('state', () => players(ann).length === 2);

    await statusAfter(ben, 'reconnecting', () => ben.dropConnection());
    await ann.next('state', () => players(ann).length === 1); // the seat was released
    const closed = until(ben, 'closed');
    release!();
    expect(await closed).toMatchObject({ reason: 'refused' });
    expect((await closed) as { detail: string }).toMatchObject({ detail: expect.stringContaining('410') });
  });
});
