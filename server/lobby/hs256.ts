/**
 * HS256 JWTs in the one shape the lobby issues, signed and checked synchronously with node:crypto.
 * jose signs and verifies through WebCrypto, whose every HMAC is a job on libuv's thread pool and
 * back: on a guest sign-up that round trip cost more than the rest of the request. The shape is
 * the protected header `{"alg":"HS256","typ":"JWT"}` (what jose's SignJWT wrote for every token the
 * lobby ever issued); tokens of any other header are not this module's to judge, and the caller
 * hands them to jose. The claims are checked by jose's rules (see `checkClaims`), and the tests
 * hold the two to the same answers.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** The encoded protected header of every token signed here. */
export const HS256_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const PREFIX = `${HS256_HEADER}.`;

/** The registered claims the lobby's tokens carry; anything else in the payload passes through. */
export interface Hs256Claims {
  readonly sub: string;
  readonly aud: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** Seconds since the epoch; the token is refused from this second on. */
  readonly exp: number;
  readonly [claim: string]: unknown;
}

/** What checking a token in this shape concluded. */
export type Hs256Check =
  | { readonly kind: 'valid'; readonly sub: string; readonly exp: number }
  | { readonly kind: 'invalid' }
  /** Another header: not this module's to judge. */
  | { readonly kind: 'other-shape' };

/** Payloads are UTF-8 JSON (RFC 7519); bytes that are not UTF-8 make the token invalid, as in jose. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const INVALID: Hs256Check = { kind: 'invalid' };
const OTHER_SHAPE: Hs256Check = { kind: 'other-shape' };

/** Synchronous HS256 over one key (the raw secret bytes). */
export class Hs256 {
  readonly #key: KeyObject;

  constructor(secret: Uint8Array) {
    this.#key = createSecretKey(secret);
  }

  /** A compact JWS of `claims` under the lobby's header. */
  sign(claims: Hs256Claims): string {
    const input = PREFIX + Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${input}.${this.#mac(input)}`;
  }

  /**
   * Check a compact token: the signature first, in constant time, then the claims as jose's
   * `jwtVerify` does with `{ algorithms: ['HS256'], audience, currentDate, requiredClaims: ['sub',
   * 'exp'] }`: `exp` required and in the future, `nbf` (if any) not in the future, `iat` (if any)
   * a number, `aud` naming `audience`, `sub` a non-empty string. `nowMs` is wall-clock ms.
   */
  check(token: string, audience: string, nowMs: number): Hs256Check {
    if (!token.startsWith(PREFIX)) return OTHER_SHAPE;
    const dot = token.indexOf('.', PREFIX.length);
    if (dot === -1 || token.indexOf('.', dot + 1) !== -1) return INVALID;
    const expected = Buffer.from(this.#mac(token.slice(0, dot)));
    const presented = Buffer.from(token.slice(dot + 1));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return INVALID;
    let payload: unknown;
    try {
      payload = JSON.parse(utf8.decode(Buffer.from(token.slice(PREFIX.length, dot), 'base64url')));
    } catch {
      return INVALID;
    }
    return checkClaims(payload, audience, Math.floor(nowMs / 1000));
  }

  #mac(input: string): string {
    return createHmac('sha256', this.#key).update(input).digest('base64url');
  }
}

const isNumber = (value: unknown): value is number => typeof value === 'number';

/** jose's claim rules for a signed payload, with no clock tolerance. */
function checkClaims(payload: unknown, audience: string, now: number): Hs256Check {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return INVALID;
  const { sub, aud, exp, nbf, iat } = payload as Record<string, unknown>;
  if (iat !== undefined && !isNumber(iat)) return INVALID;
  if (nbf !== undefined && (!isNumber(nbf) || nbf > now)) return INVALID;
  if (!isNumber(exp) || exp <= now) return INVALID;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(audience)) return INVALID;
  if (typeof sub !== 'string' || sub === '') return INVALID;
  return { kind: 'valid', sub, exp };
}
