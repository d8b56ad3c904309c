/**
 * Seat tokens admit one player to one room on one game node, once, for a short time. The lobby
 * (or the dev seat endpoint) mints them; the game node verifies them on the WebSocket upgrade.
 * Reconnect tokens are minted by the game node itself and resume a held seat.
 *
 * The node verifies both kinds, and mints reconnect tokens, synchronously (fast-jwt on node:crypto,
 * judged by jose's rules: hs256-jwt.ts), so an upgrade is decided inside uWS.js's upgrade handler
 * and never has to be completed later (see transport/uws.ts). Seat tokens are minted by jose still:
 * the lobby's side is async anyway.
 */
import { randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { SignJWT } from 'jose';
import { hmacKey } from '../hmac-key.ts';
import { createHs256Verifier, type SignedClaims, timeVerdict } from '../hs256-jwt.ts';

const ISSUER = 'tickforge';
const SEAT = 'seat';
const RECONNECT = 'reconnect';
/** The longest a seat token may live; used ids are remembered this long at most. */
export const MAX_SEAT_TTL_SECONDS = 300;

/** What a valid seat token grants. */
export interface SeatClaims {
  readonly playerId: string;
  readonly name: string;
  readonly roomId: string;
  readonly mode: string;
  readonly nodeId: string;
  /** Room options, used when this seat creates the room. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Seats of the room, when this seat creates it and the lobby chose fewer than the mode's
   * maximum (a private room for four); never more than the mode allows.
   */
  readonly maxPlayers?: number;
  /**
   * Names the seat in logs (the token's id): the lobby logs it when it promises the seat, the node
   * on join and leave. Minted fresh when not given.
   */
  readonly seatId?: string;
}

/** What a reconnect token names: a seat held by the node. */
export interface ReconnectClaims {
  readonly playerId: string;
  readonly roomId: string;
  readonly nodeId: string;
  readonly sessionId: string;
  /** Changes with every connection, so each reconnect token works once. */
  readonly nonce: string;
}

/** A token that must not be accepted; `status` is the HTTP status for the refused upgrade. */
export class SeatTokenError extends Error {
  override readonly name = 'SeatTokenError';
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.status = status;
  }
}

export interface SeatTokenOptions {
  /** HMAC key shared by the lobby and the game nodes (at least 32 bytes). */
  readonly secret: Uint8Array;
  /** Wall-clock milliseconds; injectable so expiry tests need no sleeping. */
  readonly now?: () => number;
}

/** Mints and verifies seat and reconnect tokens (HS256 JWTs). */
export class SeatTokens {
  readonly #key: () => Promise<CryptoKey>;
  readonly #signedClaims: (token: string) => SignedClaims | undefined;
  readonly #sign: (payload: Record<string, unknown>) => string;
  readonly #now: () => number;
  /** Seat token ids already used, with their expiry (seconds). */
  readonly #used = new Map<string, number>();
  #nextPrune = 0;

  constructor(options: SeatTokenOptions) {
    if (options.secret.byteLength < 32) throw new RangeError('seat token secret must be at least 32 bytes');
    this.#key = hmacKey(options.secret);
    this.#signedClaims = createHs256Verifier({
      secret: options.secret,
      issuer: ISSUER,
      requiredClaims: ['exp', 'sub'],
    });
    this.#sign = createSigner({ key: Buffer.from(options.secret), algorithm: 'HS256' });
    this.#now = options.now ?? Date.now;
  }

  /** Mint a single-use seat token valid for `ttlSeconds` (default 30, at most 300). */
  async mintSeat(claims: SeatClaims, ttlSeconds = 30): Promise<string> {
    if (!(ttlSeconds > 0 && ttlSeconds <= MAX_SEAT_TTL_SECONDS)) {
      throw new RangeError(`seat token ttl must be in (0, ${MAX_SEAT_TTL_SECONDS}] seconds`);
    }
    const now = Math.floor(this.#now() / 1000);
    return new SignJWT({
      kind: SEAT,
      name: claims.name,
      room: claims.roomId,
      mode: claims.mode,
      node: claims.nodeId,
      opts: claims.options,
      ...(claims.maxPlayers === undefined ? {} : { max: claims.maxPlayers }),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(claims.playerId)
      .setJti(claims.seatId ?? randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(await this.#key());
  }

  /** Verify a seat token for this node and mark it used. Throws SeatTokenError. */
  verifySeat(token: string, nodeId: string): SeatClaims {
    const payload = this.#verify(token, SEAT);
    const { jti, exp, sub, name, room, mode, node, opts, max } = payload;
    if (typeof jti !== 'string' || typeof exp !== 'number' || typeof sub !== 'string') {
      throw new SeatTokenError(401, 'seat token is malformed');
    }
    if (
      typeof name !== 'string' ||
      typeof room !== 'string' ||
      typeof mode !== 'string' ||
      typeof node !== 'string'
    ) {
      throw new SeatTokenError(401, 'seat token is malformed');
    }
    if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) > 0)) {
      throw new SeatTokenError(401, 'seat token is malformed');
    }
    if (node !== nodeId) throw new SeatTokenError(403, 'seat token is for another game node');
    // Single use is enforced by remembering used ids until they expire, so lifetimes must stay short.
    if (exp - this.#now() / 1000 > MAX_SEAT_TTL_SECONDS)
      throw new SeatTokenError(401, 'seat token lives too long');
    this.#forgetExpired();
    if (this.#used.has(jti)) throw new SeatTokenError(401, 'seat token was already used');
    this.#used.set(jti, exp);
    const options = opts !== null && typeof opts === 'object' && !Array.isArray(opts) ? opts : {};
    return {
      playerId: sub,
      name,
      roomId: room,
      mode,
      nodeId: node,
      options: options as Record<string, unknown>,
      ...(typeof max === 'number' ? { maxPlayers: max } : {}),
      seatId: jti,
    };
  }

  /** Mint a reconnect token for a held seat. It stays usable for as long as the seat is held. */
  mintReconnect(claims: ReconnectClaims, ttlSeconds = 24 * 3600): string {
    const now = Math.floor(this.#now() / 1000);
    // The claims jose's SignJWT wrote, in its order.
    return this.#sign({
      kind: RECONNECT,
      room: claims.roomId,
      node: claims.nodeId,
      sid: claims.sessionId,
      nonce: claims.nonce,
      iss: ISSUER,
      sub: claims.playerId,
      iat: now,
      exp: now + ttlSeconds,
    });
  }

  /** Verify a reconnect token for this node. Throws SeatTokenError. */
  verifyReconnect(token: string, nodeId: string): ReconnectClaims {
    const { sub, room, node, sid, nonce } = this.#verify(token, RECONNECT);
    if (
      typeof sub !== 'string' ||
      typeof room !== 'string' ||
      typeof node !== 'string' ||
      typeof sid !== 'string' ||
      typeof nonce !== 'string'
    ) {
      throw new SeatTokenError(401, 'reconnect token is malformed');
    }
    if (node !== nodeId) throw new SeatTokenError(403, 'reconnect token is for another game node');
    return { playerId: sub, roomId: room, nodeId: node, sessionId: sid, nonce };
  }

  /** The claims of a `kind` token, by jose's rules (as jwtVerify with issuer, HS256, exp and sub). */
  #verify(token: string, kind: string): SignedClaims {
    const payload = this.#signedClaims(token);
    if (payload === undefined) throw new SeatTokenError(401, `${kind} token is invalid`);
    const time = timeVerdict(payload, this.#now());
    if (time === 'expired') throw new SeatTokenError(401, `${kind} token expired`);
    if (time === 'invalid') throw new SeatTokenError(401, `${kind} token is invalid`);
    if (payload.kind !== kind) throw new SeatTokenError(401, `not a ${kind} token`);
    return payload;
  }

  /**
   * Forget used ids whose tokens have expired (at most every few seconds: a full scan). Expired as
   * timeVerdict() judges it, against the whole second: an `exp` of 1005.5 still verifies at 1005.6.
   */
  #forgetExpired(): void {
    const now = this.#now() / 1000;
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + 5;
    const second = Math.floor(now);
    for (const [jti, exp] of this.#used) if (exp <= second) this.#used.delete(jti);
  }
}
