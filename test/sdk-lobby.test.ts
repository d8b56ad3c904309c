/**
 * The SDK's LobbyClient against a real lobby and game node: its types and calls are the lobby's
 * API as served, and a seat it waits for is one the node accepts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { LobbyClient } from '../shared/client/lobby-client.ts';
import { LobbyError, TicketEndedError } from '../shared/client/lobby-error.ts';
import { startTestTickforge, type TestTickforge } from './support/tickforge.ts';

let tickforge: TestTickforge | undefined;
const games: GameClient[] = [];
afterEach(async () => {
  for (const game of games.splice(0)) game.close();
  await tickforge?.close();
  tickforge = undefined;
});

describe('LobbyClient on a real lobby', () => {
  it('signs in, matchmakes two players over the event stream, and the seats work on the node', async () => {
    tickforge = await startTestTickforge();
    const ada = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    const bo = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    const adaSession = await ada.signInAsGuest('ada');
    await bo.signInAsGuest('bo');
    expect((await ada.me()).playerId).toBe(adaSession.playerId);
    const [ta, tb] = [await ada.createTicket({ mode: 'arena' }), await bo.createTicket({ mode: 'arena' })];
    const [ma, mb] = await Promise.all([ada.waitForMatch(ta.ticketId), bo.waitForMatch(tb.ticketId)]);
    expect(ma.reservation.roomId).toBe(mb.reservation.roomId);
    const game = await GameClient.connect({
      url: ma.reservation.url,
      seat: ma.reservation.seat,
      pingIntervalMs: 0,
    });
    games.push(game);
    expect(game.playerId).toBe(adaSession.playerId);
  });

  it('queues a party of two with a party token, and both get seats in one match', async () => {
    tickforge = await startTestTickforge();
    const ada = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    const bo = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    const leader = await ada.signInAsGuest('ada');
    await bo.signInAsGuest('bo');
    const { partyToken } = await bo.createPartyToken(leader.playerId);
    const ticket = await ada.createTicket({ mode: 'arena', party: [partyToken] });
    const [mine, theirs] = await Promise.all([
      ada.waitForMatch(ticket.ticketId),
      bo.waitForMatch(ticket.ticketId),
    ]);
    expect(mine.reservation.roomId).toBe(theirs.reservation.roomId);
    expect(theirs.reservation.playerId).not.toBe(mine.reservation.playerId);
  });

  it('creates a private room, joins it by code, lists public rooms, and reads boards', async () => {
    tickforge = await startTestTickforge();
    const ada = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    const bo = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    await ada.signInAsGuest('ada');
    await bo.signInAsGuest('bo');
    const created = await ada.createRoom({ mode: 'arena', visibility: 'private', maxPlayers: 2 });
    expect(created.room.code).toMatch(/^[A-Z2-9]{6}$/);
    const joined = await bo.joinRoomByCode(created.room.code!);
    expect(joined.room.roomId).toBe(created.room.roomId);
    await ada.createRoom({ mode: 'arena' });
    expect(await bo.listRooms({ mode: 'arena' })).toHaveLength(1);
    expect((await bo.topRecords('arena')).records).toEqual([]);
  });

  it('surfaces problem+json refusals as LobbyError with the fields, and an ended ticket as TicketEndedError', async () => {
    tickforge = await startTestTickforge();
    const ada = new LobbyClient({ baseUrl: tickforge.lobbyUrl });
    await ada.signInAsGuest('ada');
    const refused = await ada.createRoom({ mode: 'arena', maxPlayers: 99 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LobbyError);
    expect((refused as LobbyError).status).toBe(400);
    expect((refused as LobbyError).errors.map((e) => e.field)).toEqual(['/body/maxPlayers']);
    const ticket = await ada.createTicket({ mode: 'arena' });
    const outcome = ada.waitForMatch(ticket.ticketId).catch((e: unknown) => e);
    await ada.cancelTicket(ticket.ticketId);
    expect(await outcome).toBeInstanceOf(TicketEndedError);
  });
});
