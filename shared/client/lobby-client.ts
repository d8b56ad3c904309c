/**
 * A typed client for the lobby's REST API over fetch: guest sign-in (the client keeps the token),
 * rooms, matchmaking (with a ticket's live event stream, or polling where streaming is not
 * available) and leaderboards. Refusals throw LobbyError with the problem+json details.
 */
import { LobbyError, TicketEndedError } from './lobby-error.ts';
import type {
  CreateRoomRequest,
  CreateTicketRequest,
  GuestSession,
  LeaderboardPage,
  LeaderboardStanding,
  LeaderboardWindow,
  MatchedTicket,
  Me,
  PartyToken,
  RoomInfo,
  RoomSeat,
  Ticket,
} from './lobby-types.ts';
import { isMatched } from './lobby-types.ts';
import { readTicketEvents } from './ticket-stream.ts';

/** The part of fetch the client uses (the platform's by default; inject one for tests). */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface LobbyClientOptions {
  /** The lobby's base URL, e.g. `http://localhost:2568` (a path prefix is kept). */
  readonly baseUrl: string;
  /** An access token from an earlier sign-in. */
  readonly accessToken?: string;
  readonly fetch?: FetchFunction;
}

export interface WaitForMatchOptions {
  readonly signal?: AbortSignal;
  /** Polling interval when the event stream is not available, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
}

/** Statuses of the events route that mean "no streaming here", so polling takes over. */
const NO_STREAM_STATUSES: ReadonlySet<number> = new Set([404, 405, 406, 501]);

interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly accept?: string;
  /** Send no Authorization (guest sign-in must not carry an older player's token). */
  readonly anonymous?: boolean;
}

/** Resolve after `ms`, or reject with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The lobby API.
 * @example
 * const lobby = new LobbyClient({ baseUrl: 'http://localhost:2568' });
 * await lobby.signInAsGuest('ada');
 * const ticket = await lobby.createTicket({ mode: 'arena' });
 * const { reservation } = await lobby.waitForMatch(ticket.ticketId);
 * const game = new ReconnectingClient({ url: reservation.url, seat: reservation.seat });
 */
export class LobbyClient {
  readonly #base: string;
  readonly #fetch: FetchFunction;
  #accessToken: string | undefined;

  constructor(options: LobbyClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    // Called through a wrapper: a detached platform fetch throws "Illegal invocation" in browsers.
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#accessToken = options.accessToken;
  }

  /** The access token requests carry, if signed in. */
  get accessToken(): string | undefined {
    return this.#accessToken;
  }

  set accessToken(token: string | undefined) {
    this.#accessToken = token;
  }

  /** Create a guest player; the client keeps its access token for the calls that follow. */
  async signInAsGuest(name: string): Promise<GuestSession> {
    const session = await this.#json<GuestSession>('POST', '/v1/auth/guest', {
      body: { name },
      anonymous: true,
    });
    this.#accessToken = session.accessToken;
    return session;
  }

  /** The signed-in player. */
  me(): Promise<Me> {
    return this.#json('GET', '/v1/me');
  }

  /** Public rooms of a mode: open ones, with a free seat first. */
  async listRooms(query: { mode: string; limit?: number }): Promise<readonly RoomInfo[]> {
    const { rooms } = await this.#json<{ rooms: RoomInfo[] }>('GET', '/v1/rooms', { query });
    return rooms;
  }

  /** Create a room and take its first seat. */
  createRoom(request: CreateRoomRequest): Promise<RoomSeat> {
    return this.#json('POST', '/v1/rooms', { body: request });
  }

  /** Take a seat in a room by id (404 unknown, 409 full, 410 ended). */
  joinRoom(roomId: string): Promise<RoomSeat> {
    return this.#json('POST', `/v1/rooms/${encodeURIComponent(roomId)}/seats`, { body: {} });
  }

  /** Take a seat in a private room by its join code. */
  joinRoomByCode(code: string): Promise<RoomSeat> {
    return this.#json('POST', `/v1/room-codes/${encodeURIComponent(code)}/seats`, { body: {} });
  }

  /**
   * Agree to play in `leaderId`'s party: hand the token to the leader, who lists it in the
   * ticket's `party`. Valid for five minutes.
   */
  createPartyToken(leaderId: string): Promise<PartyToken> {
    return this.#json('POST', '/v1/matchmaking/party-tokens', { body: { leaderId } });
  }

  /** Queue for a match (409 if a party member already holds a live ticket). */
  createTicket(request: CreateTicketRequest): Promise<Ticket> {
    return this.#json('POST', '/v1/matchmaking/tickets', { body: request });
  }

  getTicket(ticketId: string, signal?: AbortSignal): Promise<Ticket> {
    return this.#json('GET', this.#ticketPath(ticketId), { signal });
  }

  /** Leave the queue; resolves with the cancelled ticket (409 if it was already matched). */
  cancelTicket(ticketId: string): Promise<Ticket> {
    return this.#json('DELETE', this.#ticketPath(ticketId));
  }

  /**
   * The ticket now and on every change, from its event stream, until a final status. Throws
   * StreamUnavailableError when the answer is not an event stream, LobbyError when refused.
   */
  async *watchTicket(
    ticketId: string,
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<Ticket, void, undefined> {
    const response = await this.#send('GET', `${this.#ticketPath(ticketId)}/events`, {
      signal: options.signal,
      accept: 'text/event-stream',
    });
    yield* readTicketEvents(response);
  }

  /**
   * Wait until the ticket is matched and resolve with it (and its seat). Watches the event stream,
   * and polls GET instead when streaming is not available or the stream ends early. Rejects with
   * TicketEndedError if the ticket expires or is cancelled, and with the signal's reason on abort.
   */
  async waitForMatch(ticketId: string, options: WaitForMatchOptions = {}): Promise<MatchedTicket> {
    const { signal } = options;
    let last: Ticket | undefined;
    try {
      for await (const ticket of this.watchTicket(ticketId, { signal })) last = ticket;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // A refusal that polling would get too (401, 404...) is final; anything else (no streaming
      // here, a stream cut by a restart or a proxy, a 429 on opening it) falls back to polling.
      const refused =
        error instanceof LobbyError && !NO_STREAM_STATUSES.has(error.status) && error.status !== 429;
      if (refused) throw error;
    }
    // Poll when the stream was unavailable or ended without a final status (a proxy cut it).
    while (last === undefined || last.status === 'searching') {
      if (last !== undefined) await sleep(options.pollIntervalMs ?? 1000, signal);
      try {
        last = await this.getTicket(ticketId, signal);
      } catch (error) {
        if (!(error instanceof LobbyError && error.status === 429) || signal?.aborted) throw error;
        await sleep((error.retryAfter ?? 1) * 1000, signal);
      }
    }
    if (isMatched(last)) return last;
    throw new TicketEndedError(last);
  }

  /** A board's best records, a page at a time (`cursor`: the previous page's nextCursor). */
  topRecords(boardId: string, query: { limit?: number; cursor?: string } = {}): Promise<LeaderboardPage> {
    return this.#json('GET', `/v1/leaderboards/${encodeURIComponent(boardId)}/top`, { query });
  }

  /** The records around a player on a board. */
  recordsAround(
    boardId: string,
    playerId: string,
    query: { limit?: number } = {},
  ): Promise<LeaderboardWindow> {
    const path = `/v1/leaderboards/${encodeURIComponent(boardId)}/around/${encodeURIComponent(playerId)}`;
    return this.#json('GET', path, { query });
  }

  /** A player's record on a board (LobbyError 404 when the player has none). */
  playerRecord(boardId: string, playerId: string): Promise<LeaderboardStanding> {
    const path = `/v1/leaderboards/${encodeURIComponent(boardId)}/players/${encodeURIComponent(playerId)}`;
    return this.#json('GET', path);
  }

  #ticketPath(ticketId: string): string {
    return `/v1/matchmaking/tickets/${encodeURIComponent(ticketId)}`;
  }

  async #json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#send(method, path, options);
    return (await response.json()) as T;
  }

  /** Send a request; a non-2xx answer throws its LobbyError. */
  async #send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (this.#accessToken !== undefined && !options.anonymous)
      headers.authorization = `Bearer ${this.#accessToken}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let url = `${this.#base}${path}`;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) {
        if (value !== undefined) params.set(key, String(value));
      }
      const search = params.toString();
      if (search) url += `?${search}`;
    }
    const response = await this.#fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok) throw await LobbyError.fromResponse(response);
    return response;
  }
}
