/**
 * GameClient.connect against a fake socket that delivers WELCOME and the first SNAPSHOT in one
 * dispatch, as a real socket does when both arrive in one read: the caller, listening only once
 * connect() has resolved (through any number of awaits), still gets that full snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../protocol/codes.ts';
import { GameClient, type StateUpdate, type WebSocketConstructor } from './game-client.ts';
import { FakeSocket, nextTask } from './testing/fake-socket.ts';

const options = {
  url: 'ws://game.test/ws',
  seat: 'SEAT',
  pingIntervalMs: 0,
  WebSocket: FakeSocket as unknown as WebSocketConstructor,
};

/** Connect, with the server sending WELCOME, a SNAPSHOT and a DELTA back to back in one dispatch. */
function connectWithBurst(): Promise<GameClient> {
  const connecting = GameClient.connect(options);
  const socket = FakeSocket.last;
  socket.welcome('T1');
  socket.receive([MessageType.SNAPSHOT, 1, 0, [1, 0, 10, 2, 0, 20]]);
  socket.receive([MessageType.DELTA, 2, 1, 0, [], [1, 1, 11], []]);
  return connecting;
}

/** Every state the client emits from now on. */
function statesOf(client: GameClient): StateUpdate[] {
  const states: StateUpdate[] = [];
  client.on('state', (state) => states.push(state));
  return states;
}

describe('GameClient.connect', () => {
  afterEach(() => {
    FakeSocket.sockets = [];
  });

  it('emits the state that came with WELCOME to listeners attached after connect() resolves', async () => {
    const client = await connectWithBurst();
    const states = statesOf(client);
    // Nothing is applied behind the listener's back: the mirror moves with the events.
    expect(client.tick).toBe(-1);
    await nextTask();
    expect(states).toMatchObject([
      { full: true, tick: 1, created: [1, 2] },
      { full: false, tick: 2, changed: [1] },
    ]);
    expect(client.tick).toBe(2);
  });

  it('holds it across a chain of awaits, as a caller wrapping connect() in helpers has', async () => {
    const wrapped = async () => {
      const client = await Promise.race([connectWithBurst(), new Promise<never>(() => {})]);
      await Promise.resolve();
      return client;
    };
    const client = await wrapped();
    const full = client.next('state');
    // The held state comes in the task after connect(), before one scheduled now.
    const missed = nextTask().then(() => 'no state in the next task');
    expect(await Promise.race([full, missed])).toMatchObject({ full: true, tick: 1 });
  });

  it('keeps the order of a close that came in the same burst, after the states', async () => {
    const connecting = GameClient.connect(options);
    const socket = FakeSocket.last;
    socket.welcome('T1');
    socket.receive([MessageType.SNAPSHOT, 1, 0, [1, 0, 10]]);
    socket.drop(4011, 'room closed');
    const client = await connecting;
    const seen: string[] = [];
    client.on('state', (s) => seen.push(`state ${s.tick}`));
    client.on('close', (c) => seen.push(`close ${c.code}`));
    expect(client.connected).toBe(true);
    await nextTask();
    expect(seen).toEqual(['state 1', 'close 4011']);
    expect(client.connected).toBe(false);
  });
});
