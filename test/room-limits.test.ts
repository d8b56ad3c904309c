/**
 * One client address must not be able to fill a game node's room limit (issue 9, item 5). Over
 * real HTTP and real WebSockets against a whole Tickforge whose node holds 12 rooms: guests from
 * one address create private rooms, join them and leave (or stay), and a player elsewhere must
 * still get a room. Addresses come from X-Forwarded-For, which the lobby trusts here.
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

const ATTACKER = '203.0.113.7';
const ELSEWHERE = '198.51.100.20';

interface Created {
  status: number;
  kind?: string;
  detail?: string;
  reservation?: { url: string; seat: string; roomId: string };
}

/** A guest signed up from `address`, who creates private rooms. */
async function guest(lobby: string, name: string, address: string) {
  const forwarded = { 'x-forwarded-for': address };
  const response = await fetch(`${lobby}/v1/auth/guest`, {
    method: 'POST',
    headers: { ...forwarded, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return {
    async createRoom(): Promise<Created> {
      const created = await fetch(`${lobby}/v1/rooms`, {
        method: 'POST',
        headers: { ...forwarded, authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'arena', visibility: 'private' }),
      });
      const body = (await created.json()) as {
        type?: string;
        detail?: string;
        reservation?: Created['reservation'];
      };
      return {
        status: created.status,
        ...(body.type ? { kind: body.type.split('/').at(-1) } : {}),
        ...(body.detail ? { detail: body.detail } : {}),
        ...(body.reservation ? { reservation: body.reservation } : {}),
      };
    },
  };
}

async function join(reservation: NonNullable<Created['reservation']>): Promise<GameClient> {
  const client = await GameClient.connect({
    url: reservation.url,
    seat: reservation.seat,
    pingIntervalMs: 0,
  });
  clients.push(client);
  return client;
}

const start = () =>
  startTestTickforge({
    TICKFORGE_MAX_ROOMS: '12',
    TICKFORGE_TRUST_PROXY: 'true',
    TICKFORGE_MAX_ROOMS_PER_PLAYER: '3',
    TICKFORGE_MAX_ROOMS_PER_IP: '6',
    // Matches outlast the test: an ended match would stop its room counting.
    TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":600}}',
  });

describe('room limits per player and per address', () => {
  it('create, join, leave from one address leaves no room behind and never fills the node', async () => {
    tickforge = await start();
    const node = tickforge.node;
    const attackers = [
      await guest(tickforge.lobbyUrl, 'mallory', ATTACKER),
      await guest(tickforge.lobbyUrl, 'trudy', ATTACKER),
    ];
    const statuses: string[] = [];
    for (let round = 0; round < 24; round++) {
      const created = await attackers[round % 2]!.createRoom();
      statuses.push(`${created.status} ${created.kind ?? ''}`.trim());
      if (!created.reservation) continue;
      await (await join(created.reservation)).leave();
    }
    // Never "no game node": the address ran into its own caps, not the node's.
    expect(statuses.filter((s) => s.startsWith('503'))).toEqual([]);
    expect(new Set(statuses.filter((s) => !s.startsWith('201')))).toEqual(new Set(['409 player-room-limit']));
    const bystander = await guest(tickforge.lobbyUrl, 'ada', ELSEWHERE);
    expect((await bystander.createRoom()).status).toBe(201);
    // Rooms whose only player left at once do not wait out the 30 s empty-room TTL.
    await vi.waitFor(() => expect(node.registry.size).toBe(0), { timeout: 5_000, interval: 20 });
  });

  it('a player, then an address, is refused past its live rooms; a player elsewhere still gets one', async () => {
    tickforge = await start();
    const lobby = tickforge.lobbyUrl;
    const [mallory, trudy, oscar] = [
      await guest(lobby, 'mallory', ATTACKER),
      await guest(lobby, 'trudy', ATTACKER),
      await guest(lobby, 'oscar', ATTACKER),
    ];
    const kept: GameClient[] = [];
    for (const attacker of [mallory, trudy]) {
      for (let i = 0; i < 3; i++) {
        const created = await attacker.createRoom();
        expect(created.status).toBe(201);
        kept.push(await join(created.reservation!)); // and stay
      }
    }
    const fourth = await mallory.createRoom();
    expect(fourth).toMatchObject({ status: 409, kind: 'player-room-limit' });
    expect(fourth.detail).toContain('3 live rooms');
    const seventh = await oscar!.createRoom();
    expect(seventh).toMatchObject({ status: 409, kind: 'ip-room-limit' });
    expect(seventh.detail).toContain('6 live rooms');
    expect(tickforge.node.registry.size).toBe(6);
    const bystander = await guest(lobby, 'ada', ELSEWHERE);
    expect((await bystander.createRoom()).status).toBe(201);

    // Leaving closes the room on the node at once, but the seat token handed out for it could
    // open it again until it expires, so it counts until then (test/lobby/rooms.test.ts).
    await kept[0]!.leave();
    await vi.waitFor(() => expect(tickforge?.node.registry.size).toBe(5), { timeout: 5_000, interval: 20 });
    expect(await mallory.createRoom()).toMatchObject({ status: 409, kind: 'player-room-limit' });
  });
});
