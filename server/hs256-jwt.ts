/**
 * Synchronous HS256 JWT verification on fast-jwt, judged by jose's rules. jose goes through
 * WebCrypto, whose every HMAC is a job on libuv's thread pool and back: an answer can never be
 * given in the same call. The lobby's access tokens and the game node's seat and reconnect tokens
 * were all checked by jose before, and these must give jose's verdicts.
 *
 * fast-jwt checks the signature, the algorithm, `crit`, the audience and issuer (when given) and the
 * presence of the required claims. Time is judged by timeVerdict(), against the caller's clock and
 * by jose's rules (RFC 7519: refused from the `exp` second on), because fast-jwt reads its clock
 * either from `Date.now()` or from one timestamp fixed when the verifier is made, and counts the
 * `exp` millisecond itself as still valid. For the same reason its verification cache is off.
 */
import { createVerifier, TokenError } from 'fast-jwt';

/** The claims of a token whose signature fast-jwt has accepted. */
export type SignedClaims = Readonly<Record<string, unknown>>;

/** What jose's time checks say: `expired` is jose's JWTExpired, `invalid` any other refusal. */
export type TimeVerdict = 'valid' | 'expired' | 'invalid';

/**
 * jose's time checks with no clock tolerance, in jose's order, at `nowMs` (wall-clock ms; jose
 * floors it to the second): `iat` (if any) a number, `nbf` (if any) a number not after now, `exp`
 * (if any) a number after now. Whether `exp` must be present is the verifier's requiredClaims.
 */
export function timeVerdict(claims: SignedClaims, nowMs: number): TimeVerdict {
  const now = Math.floor(nowMs / 1000);
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== 'number') return 'invalid';
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now)) return 'invalid';
  if (exp === undefined) return 'valid';
  if (typeof exp !== 'number') return 'invalid';
  return exp <= now ? 'expired' : 'valid';
}

/** What an HS256 verifier demands besides a good signature. */
export interface Hs256VerifierOptions {
  /** HMAC key. */
  readonly secret: Uint8Array;
  /** Claims that must be present (jose's requiredClaims). */
  readonly requiredClaims: readonly string[];
  /** The `aud` the token must name (it must then be present). */
  readonly audience?: string;
  /** The `iss` the token must carry (it must then be present). */
  readonly issuer?: string;
}

/**
 * A synchronous check of everything but time: the claims, or undefined when the token is malformed,
 * forged, not HS256, or misses a required claim, the audience or the issuer. Time is the caller's,
 * with timeVerdict().
 */
export function createHs256Verifier(
  options: Hs256VerifierOptions,
): (token: string) => SignedClaims | undefined {
  const { audience, issuer } = options;
  const required = [...options.requiredClaims];
  // jose demands the presence of a claim it is told to match; fast-jwt only matches one present.
  if (audience !== undefined && !required.includes('aud')) required.push('aud');
  if (issuer !== undefined && !required.includes('iss')) required.push('iss');
  const verify = createVerifier({
    key: Buffer.from(options.secret),
    algorithms: ['HS256'],
    ...(audience === undefined ? {} : { allowedAud: audience }),
    ...(issuer === undefined ? {} : { allowedIss: issuer }),
    requiredClaims: required,
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: false,
  });
  return (token) => {
    try {
      return verify(token) as SignedClaims;
    } catch (error) {
      // Every fast-jwt refusal means "not a valid token"; anything else is a bug and must surface.
      if (error instanceof TokenError) return undefined;
      throw error;
    }
  };
}
