/**
 * Seat and reconnect tokens against jose, which checked every one of them before fast-jwt did: the
 * node's synchronous verify gives the verdict (and the error) jose's jwtVerify gave, with the
 * options the node used, on every claim set at the same instant; tokens either side mints verify
 * in the other.
 */
import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SeatTokenError, SeatTokens } from './seat-token.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');
const NOW_MS = Date.UTC(2026, 11, 1, 12);
const NOW = NOW_MS / 1000;
const INSTANTS = [NOW_MS - 1, NOW_MS, NOW_MS + 499, NOW_MS + 500, NOW_MS + 999];

type Kind = 'seat' | 'reconnect';

/** A well-formed token's claims of each kind, for this node (n1), living 60 s. */
const BASE: Record<Kind, Record<string, unknown>> = {
  seat: {
    kind: 'seat',
    name: 'ada',
    room: 'r1',
    mode: 'arena',
    node: 'n1',
    opts: {},
    iss: 'tickforge',
    sub: 'p1',
    jti: 'j1',
    iat: NOW,
    exp: NOW + 60,
  },
  reconnect: {
    kind: 'reconnect',
    room: 'r1',
    node: 'n1',
    sid: 's1',
    nonce: 'x',
    iss: 'tickforge',
    sub: 'p1',
    iat: NOW,
    exp: NOW + 60,
  },
};

/** Changes to a base claim set (undefined removes the claim). */
const VARIATIONS: Record<string, unknown>[] = [
  {},
  { exp: NOW + 1 },
  { exp: NOW }, // expires this second
  { exp: NOW - 1 },
  { exp: NOW + 0.5 },
  { exp: undefined },
  { exp: String(NOW + 60) },
  { exp: null },
  { nbf: NOW },
  { nbf: NOW + 1 },
  { nbf: NOW + 0.5 },
  { nbf: 'soon' },
  { nbf: NOW + 1, exp: NOW - 1 }, // jose judges nbf first
  { iat: 'then', exp: NOW - 1 },
  { iat: undefined },
  { iat: NOW + 3600 },
  { iss: undefined },
  { iss: 'other' },
  { iss: 'tickforg' },
  { iss: 'tickforge-x' },
  { iss: ['tickforge'] },
  { iss: null },
  { sub: undefined },
  { kind: undefined },
  { kind: 'party' },
  { aud: 'tickforge-lobby' },
  { extra: { nested: true } },
];

/** The node's verdict before fast-jwt: jose's jwtVerify with the node's options, errors as mapped then. */
async function joseSays(token: string, kind: Kind, nowMs: number): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: 'tickforge',
      algorithms: ['HS256'],
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'sub'],
    });
    return payload.kind === kind ? 'accepted' : `401 not a ${kind} token`;
  } catch (error) {
    if (error instanceof errors.JWTExpired) return `401 ${kind} token expired`;
    return `401 ${kind} token is invalid`;
  }
}

/** The node's verdict now, from tokens that have seen nothing (so no seat id is used yet). */
function ours(token: string, kind: Kind, nowMs: number): string {
  const tokens = new SeatTokens({ secret, now: () => nowMs });
  try {
    if (kind === 'seat') tokens.verifySeat(token, 'n1');
    else tokens.verifyReconnect(token, 'n1');
    return 'accepted';
  } catch (error) {
    if (error instanceof SeatTokenError) return `${error.status} ${error.message}`;
    throw error;
  }
}

/** jose signs any claims, in the header the node's tokens always had. */
const joseSigned = (claims: Record<string, unknown>, key = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);

function vary(base: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...base, ...change };
  for (const [name, value] of Object.entries(change)) if (value === undefined) delete claims[name];
  return claims;
}

describe('seat and reconnect tokens and jose', () => {
  it('gives jose’s verdict and error on every claim set, at the same instant', async () => {
    let compared = 0;
    for (const kind of ['seat', 'reconnect'] as const) {
      for (const tokenKind of ['seat', 'reconnect'] as const) {
        for (const change of VARIATIONS) {
          const claims = vary(BASE[tokenKind], change);
          const token = await joseSigned(claims);
          for (const nowMs of INSTANTS) {
            const verdict = { kind, claims, nowMs, verdict: ours(token, kind, nowMs) };
            expect(verdict).toEqual({ ...verdict, verdict: await joseSays(token, kind, nowMs) });
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * 2 * VARIATIONS.length * INSTANTS.length);
  });

  it('refuses forged, tampered, unsigned and malformed tokens, as jose does', async () => {
    const claims = BASE.reconnect;
    const token = await joseSigned(claims);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    /** Well signed, whatever it says: refused for what it says. */
    const signed = (input: string) =>
      `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const bad = [
      await joseSigned(claims, new Uint8Array(32).fill(7)),
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(64).fill(1)),
      `${encode({ alg: 'none' })}.${encode(claims)}.`,
      `${header}.${encode({ ...claims, sub: 'p2' })}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}`,
      `${header}..${signature}`,
      signed(`${header}.${Buffer.from('not json').toString('base64url')}`),
      signed(`${encode({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 })}.${encode(claims)}`),
      // Algorithm confusion with the node's own secret: another HMAC, RSA or none in the header.
      ...['HS384', 'HS512'].map((alg) => {
        const input = `${encode({ alg })}.${encode(claims)}`;
        return `${input}.${createHmac(`sha${alg.slice(2)}`, secret)
          .update(input)
          .digest('base64url')}`;
      }),
      ...['RS256', 'hs256', 'none'].map((alg) => signed(`${encode({ alg })}.${encode(claims)}`)),
      'not a token',
      '',
    ];
    for (const candidate of bad) {
      expect(await joseSays(candidate, 'reconnect', NOW_MS)).toBe('401 reconnect token is invalid');
      expect({ candidate, verdict: ours(candidate, 'reconnect', NOW_MS) }).toEqual({
        candidate,
        verdict: '401 reconnect token is invalid',
      });
    }
  });

  it('verifies seat tokens the lobby mints with jose, and jose verifies the reconnect tokens the node mints', async () => {
    const tokens = new SeatTokens({ secret, now: () => NOW_MS });
    const seat = {
      playerId: 'p1',
      name: 'ada',
      roomId: 'r1',
      mode: 'arena',
      nodeId: 'n1',
      options: { a: 1 },
    };
    expect(tokens.verifySeat(await tokens.mintSeat(seat, 30), 'n1')).toEqual({
      ...seat,
      seatId: expect.any(String),
    });

    const reconnect = { playerId: 'p1', roomId: 'r1', nodeId: 'n1', sessionId: 's1', nonce: 'x' };
    const token = tokens.mintReconnect(reconnect, 60);
    expect(await joseSays(token, 'reconnect', NOW_MS)).toBe('accepted');
    // Claim for claim, and in the order, jose's SignJWT wrote them.
    const [header, payload] = token.split('.').map((part) => Buffer.from(part, 'base64url').toString());
    expect(JSON.parse(header!)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toBe(JSON.stringify(BASE.reconnect));
    expect(tokens.verifyReconnect(token, 'n1')).toEqual(reconnect);
    expect(ours(token, 'reconnect', NOW_MS + 60_000)).toBe('401 reconnect token expired');
  });
});
