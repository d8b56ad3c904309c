/**
 * The matchmaking service: every pass it expires overdue tickets, groups the searching ones by mode
 * and region, lets the pure matcher form matches, and turns each match into a room on a game node
 * with a seat per player. One timer drives it in production; tests call `runPass()` with a clock.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TicketRecord, TicketStore } from '../../store/tickets.ts';
import { NoCapacityError } from '../errors.ts';
import type { LobbyModes } from '../modes.ts';
import type { Seating } from '../seating.ts';
import { formMatches, type QueuedTicket } from './matcher.ts';

export interface MatchmakingServiceOptions {
  readonly tickets: TicketStore;
  readonly seating: Seating;
  readonly modes: LobbyModes;
  readonly now: () => number;
  readonly log: Logger;
}

/** What one pass did. */
export interface PassResult {
  readonly matches: number;
  readonly expired: number;
}

/** Forms matches from the ticket queues. */
export class MatchmakingService {
  readonly #options: MatchmakingServiceOptions;
  #running: Promise<PassResult> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MatchmakingServiceOptions) {
    this.#options = options;
  }

  /** Run a pass every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => {
      this.runPass().catch((err: unknown) => this.#options.log.error({ err }, 'matchmaking pass failed'));
    }, intervalMs);
    this.#timer.unref?.();
  }

  /** Stop the timer and wait for a pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One pass over every queue; passes never overlap (a second call shares the running one). */
  runPass(): Promise<PassResult> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<PassResult> {
    const { tickets, modes, now: clock } = this.#options;
    const now = clock();
    let expired = 0;
    const queues = new Map<string, TicketRecord[]>();
    for (const ticket of await tickets.searching()) {
      if (ticket.expiresAt <= now) {
        if (await tickets.finish([ticket.ticketId], { status: 'expired' })) expired++;
        continue;
      }
      const key = `${ticket.mode}\u0000${ticket.region}`;
      const queue = queues.get(key);
      if (queue) queue.push(ticket);
      else queues.set(key, [ticket]);
    }
    let matches = 0;
    for (const queue of queues.values()) {
      const mode = modes.get(queue[0]?.mode ?? '');
      if (!mode) continue;
      const byId = new Map(queue.map((t) => [t.ticketId, t]));
      for (const match of formMatches(queue.map(queued), mode.matchmaking, now)) {
        const members = match.ticketIds.flatMap((id) => byId.get(id) ?? []);
        try {
          if (await this.#start(mode.mode, members)) matches++;
        } catch (error) {
          if (!(error instanceof NoCapacityError)) throw error;
          // Nothing changed: the tickets keep searching and the next pass tries again.
          this.#options.log.warn({ mode: mode.mode }, 'matchmaking: no game node can take a match');
          return { matches, expired };
        }
      }
    }
    return { matches, expired };
  }

  /**
   * A room for the match with a seat held per player, then its tickets are claimed together. If
   * one was cancelled meanwhile the claim fails and nothing starts: the others keep searching, and
   * the held seats lapse with their tokens' lifetime. Seat tokens are minted when each player reads
   * the matched ticket, not here.
   */
  async #start(mode: string, members: readonly TicketRecord[]): Promise<boolean> {
    const { seating, tickets, log } = this.#options;
    const players = members.flatMap((ticket) => ticket.players);
    // Exactly the match's size and no join code: nobody else can take a seat in a formed match.
    const room = await seating.createRoom(
      { mode, visibility: 'private', maxPlayers: players.length, metadata: {} },
      false,
    );
    for (const player of players) await seating.hold(room.roomId, player.playerId);
    const match = { matchId: randomUUID(), roomId: room.roomId, nodeId: room.nodeId };
    const claimed = await tickets.finish(
      members.map((t) => t.ticketId),
      { status: 'matched', match },
    );
    if (!claimed) log.info({ matchId: match.matchId }, 'matchmaking: a ticket left before its match started');
    return claimed !== undefined;
  }
}

function queued(ticket: TicketRecord): QueuedTicket {
  return {
    id: ticket.ticketId,
    size: ticket.players.length,
    rating: ticket.rating,
    enqueuedAt: ticket.createdAt,
  };
}
