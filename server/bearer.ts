/**
 * `Authorization: Bearer <credential>` on both servers: reading the credential, and matching it
 * against shared keys (the server and admin keys) in constant time. Credentials are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const TOKEN68 = '[A-Za-z0-9._~+/-]+=*';
const BEARER = new RegExp(`^Bearer +(${TOKEN68}) *$`, 'i');
const SENDABLE = new RegExp(`^${TOKEN68}$`);

/** What a configured key or token must be made of to travel as a Bearer credential (RFC 6750 token68). */
export const BEARER_CHARS = 'letters, digits and - . _ ~ + / (= only at the end)';

/**
 * Can `value` be sent as `Authorization: Bearer <value>` and be read back by bearerCredential?
 * Configuration checks every key and token with it: one that cannot would be refused on every call.
 */
export function isBearerToken(value: string): boolean {
  return SENDABLE.test(value);
}

/** The credential of an `Authorization: Bearer <credential>` header, or undefined for any other form. */
export function bearerCredential(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

/** SHA-256 first, so keys of any length compare in time independent of their content. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * A check that an Authorization header carries one of `keys` as its bearer credential. Every key
 * is compared (no early exit on a match), so timing says nothing about which one matched.
 */
export function bearerKeyCheck(keys: readonly string[]): (authorization: string | undefined) => boolean {
  const wanted = keys.map(digest);
  return (authorization) => {
    const credential = authorization === undefined ? undefined : bearerCredential(authorization);
    if (credential === undefined) return false;
    const presented = digest(credential);
    let matched = false;
    for (const key of wanted) matched = timingSafeEqual(presented, key) || matched;
    return matched;
  };
}
