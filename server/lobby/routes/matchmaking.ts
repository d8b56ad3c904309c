/** Handlers of matchmaking tickets (contracts in ../contracts/matchmaking.ts). */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { TicketPlayer, TicketRecord } from '../../store/tickets.ts';
import { matchmakingRoutes } from '../contracts/matchmaking.ts';
import { ConflictError, LobbyError, NotFoundError, RateLimitedError, ValidationError } from '../errors.ts';
import { modeOf } from '../modes.ts';
import type { SeatedPlayer } from '../seating.ts';
import type { LobbyDeps, LobbyEnv, PlayerGuard } from '../types.ts';
import { validate } from '../validation.ts';

/** SSE comment interval: keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/** Ticket streams one player may hold open at once (each holds a socket for up to a ticket's life). */
const MAX_STREAMS_PER_PLAYER = 4;

/** The wire shape of a ticket for one of its players, with a fresh seat of theirs once matched. */
export async function ticketView(ticket: TicketRecord, player: SeatedPlayer, deps: LobbyDeps) {
  const view = {
    ticketId: ticket.ticketId,
    status: ticket.status,
    mode: ticket.mode,
    region: ticket.region,
    players: ticket.players.map((p) => p.playerId),
    ...(ticket.rating === undefined ? {} : { rating: ticket.rating }),
    createdAt: ticket.createdAt,
    expiresAt: ticket.expiresAt,
  };
  const { match } = ticket;
  if (!match) return view;
  const matched = { ...view, matchId: match.matchId, roomId: match.roomId };
  const room = await deps.store.rooms.find({ roomId: match.roomId });
  // The room is gone (its node died, or the match is over): the ticket says so by having no seat.
  if (!room || room.ended) return matched;
  try {
    return { ...matched, reservation: await deps.seating.seat(room, player) };
  } catch (error) {
    if (error instanceof LobbyError && error.status < 500) return matched;
    throw error;
  }
}

/** Mount the ticket routes. */
export function mountMatchmakingRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps, auth: PlayerGuard): void {
  const { create, partyToken, get, cancel, events } = matchmakingRoutes;
  const tickets = deps.store.tickets;
  const openStreams = new Map<string, number>();

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
    const mode = modeOf(deps.modes, body.mode, '/body/mode');
    const players: TicketPlayer[] = [{ playerId: me.id, name: me.name }];
    for (const [i, token] of (body.party ?? []).entries()) {
      const memberId = await deps.partyTokens.verify(token, me.id);
      const member = memberId && memberId !== me.id ? await deps.store.players.get(memberId) : undefined;
      if (!member || players.some((p) => p.playerId === member.id)) {
        throw new ValidationError([
          { field: `/body/party/${i}`, message: 'is not a valid party token of another player for you' },
        ]);
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
      // Which member, and so who is queueing, is theirs to tell.
      const detail =
        created.conflict === me.id
          ? 'You already hold a searching ticket; cancel it first.'
          : 'A party member already holds a searching ticket.';
      throw new ConflictError('ticket-exists', detail);
    }
    c.header('location', `${create.path}/${created.ticketId}`);
    return c.json(await ticketView(created, me, deps), 201);
  });

  app.post(partyToken.path, auth, validate('json', partyToken.request.body), async (c) => {
    const { token, expiresAt } = await deps.partyTokens.issue(c.var.player.id, c.req.valid('json').leaderId);
    return c.json({ partyToken: token, expiresAt }, 201);
  });

  app.get(get.path, auth, validate('param', get.request.params), async (c) => {
    const ticket = await ownTicket(c.req.valid('param').ticketId, c.var.player.id);
    return c.json(await ticketView(ticket, c.var.player, deps));
  });

  app.delete(cancel.path, auth, validate('param', cancel.request.params), async (c) => {
    const me = c.var.player.id;
    const ticket = await ownTicket(c.req.valid('param').ticketId, me);
    const final =
      ticket.status === 'searching'
        ? ((await tickets.finish([ticket.ticketId], { status: 'cancelled' }))?.[0] ??
          (await ownTicket(ticket.ticketId, me)))
        : ticket;
    if (final.status !== 'cancelled') {
      throw new ConflictError('ticket-final', `The ticket is already ${final.status}.`);
    }
    return c.json(await ticketView(final, c.var.player, deps));
  });

  app.get(events.path, auth, validate('param', events.request.params), async (c) => {
    const player = c.var.player;
    const me = player.id;
    const { ticketId } = c.req.valid('param');
    await ownTicket(ticketId, me); // a 404 before the stream starts
    const open = openStreams.get(me) ?? 0;
    if (open >= MAX_STREAMS_PER_PLAYER) {
      throw new RateLimitedError(
        5,
        `At most ${MAX_STREAMS_PER_PLAYER} ticket streams open at once.`,
        'ticket-streams',
      );
    }
    openStreams.set(me, open + 1);
    const closed = () => {
      const left = (openStreams.get(me) ?? 1) - 1;
      if (left > 0) openStreams.set(me, left);
      else openStreams.delete(me);
    };
    return streamSSE(
      c,
      async (stream) => {
        const send = async (ticket: TicketRecord) =>
          stream.writeSSE({ event: 'ticket', data: JSON.stringify(await ticketView(ticket, player, deps)) });
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
          closed();
        }
      },
      async (err) => {
        // Headers are sent: the stream can only end. Hono then writes an `error` event with the message.
        deps.log.error({ err, ticketId }, 'ticket event stream failed');
      },
    );
  });
}
