/** Handlers of matchmaking tickets (contracts in ../contracts/matchmaking.ts). */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { TicketPlayer, TicketRecord } from '../../store/tickets.ts';
import { matchmakingRoutes } from '../contracts/matchmaking.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { LobbyDeps, LobbyEnv, PlayerGuard } from '../types.ts';
import { validate } from '../validation.ts';

/** SSE comment interval: keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** The wire shape of a ticket for one of its players: their own seat only. */
export function ticketView(ticket: TicketRecord, playerId: string) {
  const seat = ticket.match?.seats[playerId];
  return {
    ticketId: ticket.ticketId,
    status: ticket.status,
    mode: ticket.mode,
    region: ticket.region,
    players: ticket.players.map((p) => p.playerId),
    ...(ticket.rating === undefined ? {} : { rating: ticket.rating }),
    createdAt: ticket.createdAt,
    expiresAt: ticket.expiresAt,
    ...(ticket.match
      ? {
          matchId: ticket.match.matchId,
          roomId: ticket.match.roomId,
          ...(seat
            ? {
                reservation: {
                  url: ticket.match.url,
                  seat: seat.seat,
                  roomId: ticket.match.roomId,
                  playerId,
                  mode: ticket.mode,
                  nodeId: ticket.match.nodeId,
                  expiresAt: seat.expiresAt,
                },
              }
            : {}),
        }
      : {}),
  };
}

/** Mount the ticket routes. */
export function mountMatchmakingRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps, auth: PlayerGuard): void {
  const { create, get, cancel, events } = matchmakingRoutes;
  const tickets = deps.store.tickets;

  /** The ticket if the caller is in its party; others get the same 404 as for no ticket at all. */
  const ownTicket = async (ticketId: string, playerId: string): Promise<TicketRecord> => {
    const ticket = await tickets.get(ticketId);
    if (!ticket?.players.some((p) => p.playerId === playerId)) {
      throw new NotFoundError('ticket-not-found', 'No such ticket among yours.');
    }
    return ticket;
  };

  app.post(create.path, auth, validate('json', create.request.body), async (c) => {
    const body = c.req.valid('json');
    const me = c.var.player;
    const mode = deps.modes.get(body.mode);
    if (!mode) {
      const known = [...deps.modes.keys()].join(', ');
      throw new ValidationError([{ field: '/body/mode', message: `is not a game mode here (${known})` }]);
    }
    const party = body.party ?? [];
    const players: TicketPlayer[] = [{ playerId: me.id, name: me.name }];
    for (const [i, playerId] of party.entries()) {
      const member = playerId === me.id ? undefined : await deps.store.players.get(playerId);
      if (!member) {
        const message = playerId === me.id ? 'is you: list the other players' : 'is not a player';
        throw new ValidationError([{ field: `/body/party/${i}`, message }]);
      }
      players.push({ playerId: member.id, name: member.name });
    }
    if (players.length > mode.matchmaking.maxPlayers) {
      throw new ValidationError([
        { field: '/body/party', message: `a party may have at most ${mode.matchmaking.maxPlayers} players` },
      ]);
    }
    const created = await tickets.create({
      ticketId: randomUUID(),
      mode: mode.mode,
      region: body.region ?? 'default',
      players,
      rating: body.rating,
      expiresAt: deps.now() + deps.ticketTtlMs,
    });
    if ('conflict' in created) {
      const who =
        created.conflict === me.id ? 'You already hold' : `Player ${created.conflict} already holds`;
      throw new ConflictError('ticket-exists', `${who} a searching ticket; cancel it first.`);
    }
    c.header('location', `${create.path}/${created.ticketId}`);
    return c.json(ticketView(created, me.id), 201);
  });

  app.get(get.path, auth, validate('param', get.request.params), async (c) => {
    const me = c.var.player.id;
    return c.json(ticketView(await ownTicket(c.req.valid('param').ticketId, me), me));
  });

  app.delete(cancel.path, auth, validate('param', cancel.request.params), async (c) => {
    const me = c.var.player.id;
    const ticket = await ownTicket(c.req.valid('param').ticketId, me);
    const final =
      ticket.status === 'searching'
        ? ((await tickets.finish(ticket.ticketId, { status: 'cancelled' })) ??
          (await ownTicket(ticket.ticketId, me)))
        : ticket;
    if (final.status !== 'cancelled') {
      throw new ConflictError('ticket-final', `The ticket is already ${final.status}.`);
    }
    return c.json(ticketView(final, me));
  });

  app.get(events.path, auth, validate('param', events.request.params), async (c) => {
    const me = c.var.player.id;
    const { ticketId } = c.req.valid('param');
    await ownTicket(ticketId, me); // a 404 before the stream starts
    return streamSSE(c, async (stream) => {
      const send = (ticket: TicketRecord) =>
        stream.writeSSE({ event: 'ticket', id: ticket.status, data: JSON.stringify(ticketView(ticket, me)) });
      let finished!: (ticket: TicketRecord | undefined) => void;
      const done = new Promise<TicketRecord | undefined>((resolve) => {
        finished = resolve;
      });
      // Subscribe before reading, so a change between the two cannot be missed.
      const unwatch = tickets.watch(ticketId, (ticket) => finished(ticket));
      const keepalive = setInterval(
        () => void stream.write(': keepalive\n\n').catch(() => undefined),
        KEEPALIVE_MS,
      );
      stream.onAbort(() => finished(undefined));
      try {
        const current = await ownTicket(ticketId, me);
        await send(current);
        if (current.status !== 'searching') return;
        const last = await done;
        if (last) await send(last);
      } finally {
        clearInterval(keepalive);
        unwatch();
      }
    });
  });
}
