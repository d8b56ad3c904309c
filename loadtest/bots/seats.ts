/**
 * Where bots get their seats: the game node's development endpoint (POST /dev/seats, rooms chosen
 * by the bots), or the lobby, the way a real player does (guest sign-in, a matchmaking ticket,
 * waiting until it is matched).
 */
import { LobbyClient } from '../../shared/client/lobby-client.ts';
import { LobbyError } from '../../shared/client/lobby-error.ts';
import type { MatchedTicket } from '../../shared/client/lobby-types.ts';
import type { SeatGrant } from './bot.ts';

/** A seat for bot number `index`. */
export type SeatSource = (index: number) => Promise<SeatGrant>;

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

/** Sign-ins answered 429 are retried after their Retry-After, this many times. */
const MAX_RETRIES = 5;
const MAX_RETRY_AFTER_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sign in as a guest; many bots from one address meet the lobby's rate limit, so 429s wait and retry. */
async function signIn(lobby: LobbyClient, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await lobby.signInAsGuest(name);
      return;
    } catch (error) {
      if (!(error instanceof LobbyError && error.status === 429) || attempt >= MAX_RETRIES) throw error;
      await sleep(Math.min((error.retryAfter ?? 1) * 1000, MAX_RETRY_AFTER_MS));
    }
  }
}

/**
 * Seats from the lobby through the SDK's LobbyClient, as a player gets them: a guest per bot, a
 * matchmaking ticket, then the ticket's event stream (or polling, where the lobby has none) until
 * it is matched.
 */
export function lobbySeats(options: LobbySeatOptions): SeatSource {
  const timeoutMs = options.matchTimeoutMs ?? 60_000;
  return async (index) => {
    const lobby = new LobbyClient({ baseUrl: options.lobby });
    await signIn(lobby, `bot-${index}`);
    const ticket = await lobby.createTicket({ mode: options.mode });
    let matched: MatchedTicket;
    try {
      matched = await lobby.waitForMatch(ticket.ticketId, {
        signal: AbortSignal.timeout(timeoutMs),
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
