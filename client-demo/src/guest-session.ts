/**
 * The signed-in guest, kept in sessionStorage: a reload keeps the player, while every tab is its
 * own player (localStorage would make two tabs the same guest, and they could not play each other).
 */
import type { GuestSession } from '../../shared/client/index.ts';

const KEY = 'tickforge.guest';
/** Sign in again this long before the token would expire, rather than fail mid-match. */
const EXPIRY_MARGIN_MS = 10 * 60_000;

/** The stored guest, if any and still valid at `now`. */
export function loadGuest(now: number = Date.now()): GuestSession | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    const session = raw ? (JSON.parse(raw) as Partial<GuestSession>) : undefined;
    if (
      typeof session?.playerId === 'string' &&
      typeof session.name === 'string' &&
      typeof session.accessToken === 'string' &&
      typeof session.expiresAt === 'number' &&
      session.expiresAt - EXPIRY_MARGIN_MS > now
    ) {
      return session as GuestSession;
    }
  } catch {
    // storage disabled or a foreign value: sign in again
  }
  return undefined;
}

export function saveGuest(session: GuestSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // storage disabled: the guest lasts until the page is closed
  }
}

export function forgetGuest(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

/** A friendly default name: `Guest-` and four digits. */
export function guestName(random: () => number = Math.random): string {
  return `Guest-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
}
