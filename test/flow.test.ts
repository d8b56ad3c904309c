/**
 * The player's whole path through one Tickforge, over real HTTP and real WebSockets: guest ->
 * matchmaking ticket (one player watches it as SSE, the other polls) -> matched -> WebSocket join
 * with the lobby's seat -> play -> match end -> the node reports results with its server key ->
 * the arena leaderboards show both players.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { startTestTickforge, type TestTickforge } from './support/tickforge.ts';

let tickforge: TestTickforge | undefined;
const clients: GameClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await tickforge?.close();
  tickforge = undefined;
});

interface Reservation {
  url: string;
  seat: string;
  roomId: string;
  playerId: string;
}
interface Ticket {
  ticketId: string;
  status: string;
  reservation?: Reservation;
}

async function guest(lobby: string, name: string) {
  const response = await fetch(`${lobby}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { playerId: string; accessToken: string };
  const auth = { authorization: `Bearer ${body.accessToken}` };
  return {
    playerId: body.playerId,
    auth,
    async queue(): Promise<Ticket> {
      const created = await fetch(`${lobby}/v1/matchmaking/tickets`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'arena', region: 'eu' }),
      });
      expect(created.status).toBe(201);
      return (await created.json()) as Ticket;
    },
    /** The matched ticket, read from the SSE stream. */
    async watch(ticketId: string): Promise<Ticket> {
      const stream = await fetch(`${lobby}/v1/matchmaking/tickets/${ticketId}/events`, { headers: auth });
      const events = (await stream.text())
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)) as Ticket);
      return events[events.length - 1] as Ticket;
    },
    /** The matched ticket, by polling GET. */
    poll: (ticketId: string): Promise<Ticket> =>
      vi.waitFor(
        async () => {
          const ticket = (await (
            await fetch(`${lobby}/v1/matchmaking/tickets/${ticketId}`, { headers: auth })
          ).json()) as Ticket;
          if (ticket.status !== 'matched') throw new Error(`still ${ticket.status}`);
          return ticket;
        },
        { timeout: 10_000, interval: 50 },
      ),
  };
}

describe('guest -> ticket -> match -> play -> results -> leaderboard', () => {
  it('two guests play a matchmade arena match and land on the arena boards', async () => {
    tickforge = await startTestTickforge();
    const lobby = tickforge.lobbyUrl;
    const ada = await guest(lobby, 'ada');
    const bo = await guest(lobby, 'bo');
    const adaTicket = await ada.queue();
    const boTicket = await bo.queue();
    const [adaMatched, boMatched] = await Promise.all([
      ada.watch(adaTicket.ticketId),
      bo.poll(boTicket.ticketId),
    ]);
    expect(adaMatched.status).toBe('matched');
    expect(adaMatched.reservation?.roomId).toBe(boMatched.reservation?.roomId);
    expect(adaMatched.reservation?.url).toBe(tickforge.node.url);

    const connect = async (reservation: Reservation | undefined) => {
      const client = await GameClient.connect({
        url: reservation!.url,
        seat: reservation!.seat,
        pingIntervalMs: 0,
      });
      clients.push(client);
      return client;
    };
    const [adaClient, boClient] = await Promise.all([
      connect(adaMatched.reservation),
      connect(boMatched.reservation),
    ]);
    expect(adaClient.playerId).toBe(ada.playerId);
    expect(adaClient.roomId).toBe(adaMatched.reservation?.roomId);

    // The directory learns who sits in the room from the node's heartbeat.
    await vi.waitFor(
      async () => {
        const room = await tickforge!.store.rooms.find({ roomId: adaClient.roomId });
        expect([...(room?.seated ?? [])].sort()).toEqual([ada.playerId, bo.playerId].sort());
      },
      { timeout: 5_000, interval: 50 },
    );

    // Play: both run right until the 2 s match ends.
    const ended = Promise.all(
      [adaClient, boClient].map((client) => new Promise((resolve) => client.once('matchEnd', resolve))),
    );
    const inputs = setInterval(() => {
      adaClient.sendInput({ dx: 1, dy: 0 });
      boClient.sendInput({ dx: -1, dy: 0.5 });
    }, 50);
    try {
      await ended;
    } finally {
      clearInterval(inputs);
    }

    const top = await vi.waitFor(
      async () => {
        const page = (await (await fetch(`${lobby}/v1/leaderboards/arena/top?limit=10`)).json()) as {
          records: { playerId: string; name: string; rank: number }[];
        };
        expect(page.records).toHaveLength(2);
        return page;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(top.records.map((r) => r.playerId).sort()).toEqual([ada.playerId, bo.playerId].sort());
    expect(top.records.map((r) => r.rank)).toEqual([1, 2]);
    const weekly = (await (await fetch(`${lobby}/v1/leaderboards/arena-weekly/top`)).json()) as {
      records: unknown[];
    };
    expect(weekly.records).toHaveLength(2);
    const around = await fetch(`${lobby}/v1/leaderboards/arena/around/${bo.playerId}?limit=3`);
    expect(((await around.json()) as { records: unknown[] }).records).toHaveLength(2);

    // A restart on the same data dir keeps accounts and boards (SQLite), and the same secrets.
    for (const client of clients.splice(0)) client.close();
    const { dataDir } = tickforge;
    await tickforge.close(true);
    tickforge = await startTestTickforge({ TICKFORGE_DATA_DIR: dataDir });
    const again = (await (
      await fetch(`${tickforge.lobbyUrl}/v1/leaderboards/arena/top`)
    ).json()) as typeof top;
    expect(again.records).toEqual(top.records);
    expect((await fetch(`${tickforge.lobbyUrl}/v1/me`, { headers: ada.auth })).status).toBe(200);
  });

  it('a seat from the lobby is refused by the node once used, and a player token cannot write scores', async () => {
    tickforge = await startTestTickforge();
    const lobby = tickforge.lobbyUrl;
    const response = await fetch(`${lobby}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'eve' }),
    });
    const { accessToken, playerId } = (await response.json()) as { accessToken: string; playerId: string };
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${lobby}/v1/rooms`, {
      method: 'POST',
      headers: auth,
      body: '{"mode":"arena"}',
    });
    const { reservation } = (await created.json()) as { reservation: Reservation };
    const client = await GameClient.connect({
      url: reservation.url,
      seat: reservation.seat,
      pingIntervalMs: 0,
    });
    clients.push(client);
    await expect(
      GameClient.connect({ url: reservation.url, seat: reservation.seat, pingIntervalMs: 0 }),
    ).rejects.toThrow();

    const forged = await fetch(`${lobby}/v1/matches`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        matchId: 'm',
        roomId: reservation.roomId,
        mode: 'arena',
        endedAt: 0,
        results: [{ playerId, name: 'eve', score: 1e9 }],
      }),
    });
    expect(forged.status).toBe(403);
    const scores = await fetch(`${lobby}/v1/leaderboards/arena/scores`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ playerId, name: 'eve', score: 1e9, key: 'k' }),
    });
    expect(scores.status).toBe(403);
    const top = (await (await fetch(`${lobby}/v1/leaderboards/arena/top`)).json()) as { records: unknown[] };
    expect(top.records).toEqual([]);
  });
});
