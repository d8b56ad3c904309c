/**
 * Player access tokens: HS256 JWTs, `sub` = player id, audience `tickforge-lobby`, protected header
 * `{"alg":"HS256","typ":"JWT"}` (what jose's SignJWT wrote for every token the lobby ever issued,
 * byte for byte). fast-jwt signs them and hs256-jwt.ts verifies them synchronously, by jose's rules
 * against the injected clock (see there for fast-jwt's pitfalls); verified-tokens.ts remembers
 * verified tokens against the same clock.
 */
import { createSigner } from 'fast-jwt';
import { createHs256Verifier, type SignedClaims, timeVerdict } from '../hs256-jwt.ts';
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

/**
 * The player signed claims name at `nowMs`, by jose's time rules with no clock tolerance, and `sub`
 * a non-empty string (jose accepts an empty one).
 */
function playerAt(claims: SignedClaims, nowMs: number): string | undefined {
  if (timeVerdict(claims, nowMs) !== 'valid') return undefined;
  const { sub } = claims;
  if (typeof sub !== 'string' || sub === '') return undefined;
  return sub;
}

/** HS256 access tokens over one secret. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { secret, now } = options;
  const ttlMs = options.ttlMs ?? DAY_MS;
  if (secret.byteLength < 32) throw new Error('access token secret must be at least 32 bytes');
  const sign = createSigner({ key: Buffer.from(secret), algorithm: 'HS256' });
  const signedClaims = createHs256Verifier({
    secret,
    audience: ACCESS_TOKEN_AUDIENCE,
    requiredClaims: ['sub', 'aud', 'exp'],
  });
  const verified = new VerifiedTokens(VERIFIED_CACHE_SIZE);
  return {
    async issue(playerId) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + Math.ceil(ttlMs / 1000);
      // Claims in this order, with nothing added: the payload jose wrote.
      const token = sign({ sub: playerId, aud: ACCESS_TOKEN_AUDIENCE, iat, exp });
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      const at = now();
      const known = verified.lookup(token, at);
      if (known !== undefined) return known ?? undefined;
      const payload = signedClaims(token);
      if (payload === undefined) return undefined;
      const playerId = playerAt(payload, at);
      if (playerId !== undefined) verified.remember(token, playerId, (payload.exp as number) * 1000);
      return playerId;
    },
  };
}
