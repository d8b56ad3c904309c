/**
 * Player access tokens: HS256 JWTs signed with jose, `sub` = player id, audience `tickforge-lobby`.
 * Expiry is checked against the injected clock, so tests of expired tokens need no sleeping.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { hmacKey } from '../hmac-key.ts';

/** The audience every lobby access token is issued for and checked against. */
export const ACCESS_TOKEN_AUDIENCE = 'tickforge-lobby';

/** A freshly signed token and when it stops being accepted (wall-clock ms). */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Signs and verifies access tokens; the seam the lobby's auth route and middleware share. */
export interface AccessTokens {
  issue(playerId: string): Promise<IssuedToken>;
  /** The player id, or undefined when the token is malformed, expired, forged or for another audience. */
  verify(token: string): Promise<string | undefined>;
}

/** How access tokens are signed. */
export interface AccessTokenOptions {
  /** HMAC key, at least 32 bytes. */
  readonly secret: Uint8Array;
  /** Wall-clock milliseconds. */
  readonly now: () => number;
  /** Lifetime in milliseconds (default 24 h). */
  readonly ttlMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Tokens already verified, with their player and expiry: a player's every request carries the same
 * token, so it is checked once and then only its expiry. Bounded; the oldest entries go first.
 */
const VERIFIED_CACHE_SIZE = 10_000;

/** HS256 access tokens over one secret. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { secret, now } = options;
  const ttlMs = options.ttlMs ?? DAY_MS;
  if (secret.byteLength < 32) throw new Error('access token secret must be at least 32 bytes');
  const key = hmacKey(secret);
  const verified = new Map<string, { readonly playerId: string; readonly expiresAtMs: number }>();
  return {
    async issue(playerId) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAt = (issuedAt + Math.ceil(ttlMs / 1000)) * 1000;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(playerId)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt / 1000)
        .sign(await key());
      return { token, expiresAt };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAtMs > now()) return known.playerId;
        verified.delete(token);
        return undefined;
      }
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: ['HS256'],
          audience: ACCESS_TOKEN_AUDIENCE,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp'],
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
        verified.set(token, { playerId: payload.sub, expiresAtMs: (payload.exp as number) * 1000 });
        return payload.sub;
      } catch (error) {
        // Every jose failure means "not a valid token"; anything else is a bug and must surface.
        if (error instanceof errors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}
