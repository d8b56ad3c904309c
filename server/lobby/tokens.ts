/**
 * Player access tokens: HS256 JWTs, `sub` = player id, audience `tickforge-lobby`. They are signed
 * and checked synchronously on node:crypto (hs256.ts: WebCrypto's thread-pool round trip was most
 * of a guest sign-up); a token of any other header goes to jose, which judges it as before. Expiry
 * is checked against the injected clock, so tests of expired tokens need no sleeping.
 */
import { errors, jwtVerify } from 'jose';
import { hmacKey } from '../hmac-key.ts';
import { Hs256 } from './hs256.ts';
import { VerifiedTokens } from './verified-tokens.ts';

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

/** How many verified tokens are remembered (verified-tokens.ts), about 2 MB at most. */
const VERIFIED_CACHE_SIZE = 10_000;

/** HS256 access tokens over one secret. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { secret, now } = options;
  const ttlMs = options.ttlMs ?? DAY_MS;
  if (secret.byteLength < 32) throw new Error('access token secret must be at least 32 bytes');
  const key = hmacKey(secret);
  const hs256 = new Hs256(secret);
  const verified = new VerifiedTokens(VERIFIED_CACHE_SIZE);
  const remember = (token: string, playerId: string, exp: number): string => {
    verified.remember(token, playerId, exp * 1000);
    return playerId;
  };
  return {
    async issue(playerId) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + Math.ceil(ttlMs / 1000);
      const token = hs256.sign({ sub: playerId, aud: ACCESS_TOKEN_AUDIENCE, iat, exp });
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      const at = now();
      const known = verified.lookup(token, at);
      if (known !== undefined) return known ?? undefined;
      const checked = hs256.check(token, ACCESS_TOKEN_AUDIENCE, at);
      if (checked.kind === 'valid') return remember(token, checked.sub, checked.exp);
      if (checked.kind === 'invalid') return undefined;
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: ['HS256'],
          audience: ACCESS_TOKEN_AUDIENCE,
          currentDate: new Date(at),
          requiredClaims: ['sub', 'exp'],
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
        return remember(token, payload.sub, payload.exp as number);
      } catch (error) {
        // Every jose failure means "not a valid token"; anything else is a bug and must surface.
        if (error instanceof errors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}
