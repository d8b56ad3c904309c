/**
 * Player access tokens: HS256 JWTs, `sub` = player id, audience `tickforge-lobby`, protected header
 * `{"alg":"HS256","typ":"JWT"}` (what jose's SignJWT wrote for every token the lobby ever issued,
 * byte for byte). fast-jwt signs and verifies them synchronously on node:crypto: jose goes through
 * WebCrypto, whose every HMAC is a job on libuv's thread pool and back, and on a guest sign-up that
 * round trip cost more than the rest of the request.
 *
 * fast-jwt checks the signature, the algorithm, `crit`, the audience and that `sub`, `aud` and `exp`
 * are present. Time is judged here, against the injected clock and by jose's rules (RFC 7519:
 * refused from the `exp` second on), because fast-jwt reads its clock either from `Date.now()` or
 * from one timestamp fixed when the verifier is made, and counts the `exp` millisecond itself as
 * still valid. For the same reason its verification cache is off: verified-tokens.ts remembers
 * tokens against the injected clock instead.
 */
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
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

/** The claims of a token whose signature and audience fast-jwt has accepted. */
type VerifiedPayload = Readonly<Record<string, unknown>>;

/**
 * The player a signed payload names at `now` (seconds since the epoch, floored), by jose's rules with
 * no clock tolerance: `exp` a number after `now`, `nbf` (if any) a number not after it, `iat` (if
 * any) a number, and `sub` a non-empty string.
 */
function playerAt(payload: VerifiedPayload, now: number): string | undefined {
  const { sub, exp, nbf, iat } = payload;
  if (typeof exp !== 'number' || exp <= now) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now)) return undefined;
  if (iat !== undefined && typeof iat !== 'number') return undefined;
  if (typeof sub !== 'string' || sub === '') return undefined;
  return sub;
}

/** HS256 access tokens over one secret. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { secret, now } = options;
  const ttlMs = options.ttlMs ?? DAY_MS;
  if (secret.byteLength < 32) throw new Error('access token secret must be at least 32 bytes');
  const key = Buffer.from(secret);
  const sign = createSigner({ key, algorithm: 'HS256' });
  const signedPayload = createVerifier({
    key,
    algorithms: ['HS256'],
    allowedAud: ACCESS_TOKEN_AUDIENCE,
    requiredClaims: ['sub', 'aud', 'exp'],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: false,
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
      let payload: VerifiedPayload;
      try {
        payload = signedPayload(token) as VerifiedPayload;
      } catch (error) {
        // Every fast-jwt refusal means "not a valid token"; anything else is a bug and must surface.
        if (error instanceof TokenError) return undefined;
        throw error;
      }
      const playerId = playerAt(payload, Math.floor(at / 1000));
      if (playerId !== undefined) verified.remember(token, playerId, (payload.exp as number) * 1000);
      return playerId;
    },
  };
}
