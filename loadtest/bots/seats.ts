/**
 * Where bots get their seats: the game node's development endpoint (POST /dev/seats, rooms chosen
 * by the bots), or the lobby, the way a real player does (guest sign-in, a matchmaking ticket,
 * waiting until it is matched).
 */
import { LobbyClient } from '../../shared/client/lobby-client.ts';
import { LobbyError } from '../../shared/client/lobby-error.ts';
import type { MatchedTicket } from '../../shared/client/lobby-types.ts';
import type { SeatGrant } from './bot.ts';

/** A seat for bot number `index`; `signal` abandons the request (and any wait it is in). */
export type SeatSource = (index: number, signal?: AbortSignal) => Promise<SeatGrant>;

/**
 * Seats from POST /dev/seats: bots `k*roomSize .. (k+1)*roomSize-1` share room `dev-bots-<runId>-<k>`
 * (dev seats fill only `dev-` rooms). The node serves them only with TICKFORGE_DEV_SEATS=true.
 */
export function devSeats(options: {
  readonly url: string;
  readonly mode: string;
  readonly roomSize: number;
  readonly runId: string;
  readonly roomOptions: Readonly<Record<string, unknown>>;
}): SeatSource {
  const { url, mode, roomSize, runId, roomOptions } = options;
  return async (index) => {
    const response = await fetch(new URL('/dev/seats', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mode,
        roomId: `dev-bots-${runId}-${Math.floor(index / roomSize)}`,
        name: `bot-${index}`,
        options: roomOptions,
      }),
    });
    const text = await response.text();
    if (response.status === 404) {
      // Kept short: the report keeps the first 160 characters of an error.
      throw new Error(
        'POST /dev/seats: HTTP 404: the node serves no dev seats; start it with TICKFORGE_DEV_SEATS=true, or use --lobby',
      );
    }
    if (response.status !== 201)
      throw new Error(`POST /dev/seats: HTTP ${response.status} ${text.slice(0, 120)}`);
    const body = JSON.parse(text) as Partial<SeatGrant>;
    if (typeof body.url !== 'string' || typeof body.seat !== 'string' || typeof body.roomId !== 'string') {
      throw new Error('POST /dev/seats: response lacks url, seat or roomId');
    }
    return body as SeatGrant;
  };
}

/** How lobby seats are requested. */
export interface LobbySeatOptions {
  /** Base URL of the lobby, e.g. http://127.0.0.1:2568. */
  readonly lobby: string;
  readonly mode: string;
  /** Time between two reads of a searching ticket, where the lobby has no event stream. Default 250 ms. */
  readonly pollMs?: number;
  /** Give up (and cancel the ticket) after this long. Default 60 s. */
  readonly matchTimeoutMs?: number;
}

/**
 * Says when the bots wait on a lobby rate limit: one line per wait, however many bots the 429s hit
 * (a run of 64 bots from one address meets the guest sign-up limit, 60 a minute, at once).
 */
export class RateLimitNotice {
  readonly #say: (line: string) => void;
  readonly #now: () => number;
  #until = 0;

  constructor(say: (line: string) => void, now: () => number = Date.now) {
    this.#say = say;
    this.#now = now;
  }

  /** When the longest wait announced so far ends (ms, `now`'s clock). */
  get until(): number {
    return this.#until;
  }

  /** A bot waits `seconds` on `limit`; announced unless a wait announced earlier is still on. */
  waiting(seconds: number, limit: string): void {
    const now = this.#now();
    const ongoing = now < this.#until;
    this.#until = Math.max(this.#until, now + seconds * 1000);
    if (!ongoing) this.#say(`waiting ${seconds} s on the lobby's ${limit} (429, Retry-After)`);
  }
}

/** Give up on a rate limit that would keep a bot waiting longer than this in all. */
const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;

/** Resolve after `ms`, or at once when `signal` aborts (the caller checks it). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `call`, again after each 429's Retry-After (announced on `notice`) until it is answered. */
async function throughRateLimit<T>(
  call: () => Promise<T>,
  limit: string,
  notice: RateLimitNotice | undefined,
  signal: AbortSignal | undefined,
): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof LobbyError && error.status === 429)) throw error;
      const seconds = error.retryAfter ?? 1;
      if (signal?.aborted || waited + seconds * 1000 > MAX_RATE_LIMIT_WAIT_MS) throw error;
      notice?.waiting(seconds, limit);
      waited += seconds * 1000;
      await sleep(seconds * 1000, signal);
      if (signal?.aborted) throw error;
    }
  }
}

/**
 * Seats from the lobby through the SDK's LobbyClient, as a player gets them: a guest per bot, a
 * matchmaking ticket, then the ticket's event stream (or polling, where the lobby has none) until
 * it is matched. A sign-in or ticket answered 429 waits its Retry-After, said once on `notice`.
 */
export function lobbySeats(options: LobbySeatOptions, notice?: RateLimitNotice): SeatSource {
  const timeoutMs = options.matchTimeoutMs ?? 60_000;
  return async (index, signal) => {
    const lobby = new LobbyClient({ baseUrl: options.lobby });
    await throughRateLimit(() => lobby.signInAsGuest(`bot-${index}`), 'guest sign-up limit', notice, signal);
    const ticket = await throughRateLimit(
      () => lobby.createTicket({ mode: options.mode }),
      'request limit',
      notice,
      signal,
    );
    let matched: MatchedTicket;
    try {
      matched = await lobby.waitForMatch(ticket.ticketId, {
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
        pollIntervalMs: options.pollMs ?? 250,
      });
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'TimeoutError')) throw error;
      // Leave the queue rather than be matched into a room nobody joins.
      await lobby.cancelTicket(ticket.ticketId).catch(() => undefined);
      throw new Error(`ticket not matched within ${timeoutMs / 1000} s`);
    }
    const { url, seat, roomId } = matched.reservation;
    return { url, seat, roomId };
  };
}
