/**
 * Party tokens: a player's consent to queue in another player's party. The member asks for one
 * naming the leader and hands it over (in game chat, a friends list...); the leader's ticket lists
 * the tokens, so nobody can be put in a party, and locked out of matchmaking, without agreeing to
 * it. HS256 JWTs (jose), audience `tickforge-party`, valid for five minutes.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { hmacKey } from '../hmac-key.ts';

const AUDIENCE = 'tickforge-party';
const TTL_SECONDS = 300;

/** Mints and checks party tokens. */
export interface PartyTokens {
  issue(memberId: string, leaderId: string): Promise<{ readonly token: string; readonly expiresAt: number }>;
  /** The member who agreed to play in `leaderId`'s party, or undefined for any other token. */
  verify(token: string, leaderId: string): Promise<string | undefined>;
}

/** Party tokens over one secret (at least 32 bytes); `now` is the wall clock in ms. */
export function createPartyTokens(options: {
  readonly secret: Uint8Array;
  readonly now: () => number;
}): PartyTokens {
  const { now } = options;
  if (options.secret.byteLength < 32) throw new Error('party token secret must be at least 32 bytes');
  const key = hmacKey(options.secret);
  return {
    async issue(memberId, leaderId) {
      const issuedAt = Math.floor(now() / 1000);
      const token = await new SignJWT({ leader: leaderId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(memberId)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + TTL_SECONDS)
        .sign(await key());
      return { token, expiresAt: (issuedAt + TTL_SECONDS) * 1000 };
    },
    async verify(token, leaderId) {
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: ['HS256'],
          audience: AUDIENCE,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp'],
        });
        return payload.leader === leaderId && typeof payload.sub === 'string' ? payload.sub : undefined;
      } catch (error) {
        if (error instanceof errors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}
