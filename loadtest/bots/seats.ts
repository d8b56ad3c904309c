/**
 * Where bots get their seats: the game node's development endpoint (POST /dev/seats, rooms chosen
 * by the bots), or the lobby, the way a real player does (guest sign-in, a matchmaking ticket,
 * polling it until matched).
 */
import { asGuest, asTicket, LobbyPath, type SeatReservation, type Ticket } from '../common/lobby-api.ts';
import type { SeatGrant } from './bot.ts';

/** A seat for bot number `index`. */
export type SeatSource = (index: number) => Promise<SeatGrant>;

/** Seats from POST /dev/seats: bots `k*roomSize .. (k+1)*roomSize-1` share room `bots-<runId>-<k>`. */
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
        roomId: `bots-${runId}-${Math.floor(index / roomSize)}`,
        name: `bot-${index}`,
        options: roomOptions,
      }),
    });
    const text = await response.text();
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
  /** Time between two reads of a searching ticket. Default 250 ms. */
  readonly pollMs?: number;
  /** Give up (and cancel the ticket) after this long. Default 60 s. */
  readonly matchTimeoutMs?: number;
}

/** Answers to 429 are retried after their Retry-After, this many times. */
const MAX_RETRIES = 5;
const MAX_RETRY_AFTER_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seats from the lobby: a guest per bot, then a matchmaking ticket polled until it is matched. */
export function lobbySeats(options: LobbySeatOptions): SeatSource {
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = options.matchTimeoutMs ?? 60_000;

  async function call(
    method: string,
    path: string,
    expect: number,
    token?: string,
    body?: object,
  ): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(new URL(path, options.lobby), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (response.status === 429 && attempt < MAX_RETRIES) {
        const seconds = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(seconds) ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 1000);
        continue;
      }
      if (response.status !== expect) {
        throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 120)}`);
      }
      return JSON.parse(text) as unknown;
    }
  }

  async function matched(ticket: Ticket, token: string): Promise<SeatReservation> {
    const deadline = performance.now() + timeoutMs;
    let current = ticket;
    while (current.status === 'searching') {
      if (performance.now() > deadline) {
        // Leave the queue rather than be matched into a room nobody joins.
        await call('DELETE', LobbyPath.ticket(current.ticketId), 200, token).catch(() => undefined);
        throw new Error(`ticket not matched within ${timeoutMs / 1000} s`);
      }
      await sleep(pollMs);
      current = asTicket(await call('GET', LobbyPath.ticket(current.ticketId), 200, token));
    }
    if (current.status !== 'matched' || current.reservation === undefined) {
      throw new Error(`ticket ${current.status}`);
    }
    return current.reservation;
  }

  return async (index) => {
    const guest = asGuest(await call('POST', LobbyPath.guest, 201, undefined, { name: `bot-${index}` }));
    const token = guest.accessToken;
    const ticket = asTicket(await call('POST', LobbyPath.tickets, 201, token, { mode: options.mode }));
    const reservation = await matched(ticket, token);
    return { url: reservation.url, seat: reservation.seat, roomId: reservation.roomId };
  };
}
