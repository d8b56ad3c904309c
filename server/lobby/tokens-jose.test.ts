/**
 * The lobby's access tokens against jose, which signed and checked every one of them before
 * fast-jwt did: tokens either library signs verify in the other, byte for byte the same, and the
 * two give the same verdict on every claim set at the same instant.
 */
import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE as AUD, createAccessTokens } from './tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');
const NOW_MS = Date.UTC(2026, 11, 1, 12);
const NOW = NOW_MS / 1000;
/** The header jose's SignJWT wrote for every token the lobby issued. */
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

/** jose's verdict with the options the lobby's access tokens used under jose. */
async function joseSays(token: string, nowMs: number): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      audience: AUD,
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'exp'],
    });
    return payload.sub;
  } catch {
    return undefined;
  }
}

/** The lobby's verdict at `nowMs`, from a verifier that has remembered nothing. */
const ours = async (token: string, nowMs: number): Promise<string> =>
  (await createAccessTokens({ secret, now: () => nowMs }).verify(token)) ?? 'invalid';

/** A token jose signs in the lobby's header over any payload. */
const joseSigned = (payload: Record<string, unknown>, key = secret) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);

describe('access tokens and jose', () => {
  it('issues the token jose issued, byte for byte, and jose accepts it', async () => {
    const { token, expiresAt } = await createAccessTokens({ secret, now: () => NOW_MS, ttlMs: 60_000 }).issue(
      'p1',
    );
    expect(expiresAt).toBe(NOW_MS + 60_000);
    expect(token.startsWith(`${HEADER}.`)).toBe(true);
    expect(await joseSigned({ sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 })).toBe(token);
    expect(await joseSays(token, NOW_MS)).toBe('p1');
    expect(await joseSays(token, NOW_MS + 60_000)).toBeUndefined();
  });

  it('accepts a token jose issued', async () => {
    const token = await joseSigned({ sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 });
    expect(await ours(token, NOW_MS)).toBe('p1');
  });

  it('gives jose’s verdict on every claim set, at the same instant', async () => {
    const claimSets: Record<string, unknown>[] = [
      { sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 },
      { sub: 'p1', aud: AUD, exp: NOW + 1 },
      { sub: 'p1', aud: AUD, exp: NOW }, // expires this second
      { sub: 'p1', aud: AUD, exp: NOW - 1 },
      { sub: 'p1', aud: AUD, exp: NOW + 0.5 },
      { sub: 'p1', aud: AUD },
      { sub: 'p1', aud: AUD, exp: String(NOW + 60) },
      { sub: 'p1', aud: AUD, exp: null },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: NOW },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: NOW + 1 },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: NOW + 0.5 },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: 'soon' },
      { sub: 'p1', aud: AUD, exp: NOW + 60, iat: 'then' },
      { sub: 'p1', aud: AUD, exp: NOW + 60, iat: NOW + 3600 },
      { sub: 'p1', exp: NOW + 60 },
      { sub: 'p1', aud: 'tickforge-party', exp: NOW + 60 },
      { sub: 'p1', aud: ['other', AUD], exp: NOW + 60 },
      { sub: 'p1', aud: ['other'], exp: NOW + 60 },
      { sub: 'p1', aud: [], exp: NOW + 60 },
      { aud: AUD, exp: NOW + 60 },
      { sub: 42, aud: AUD, exp: NOW + 60 },
      { sub: 'p1', aud: AUD, exp: NOW + 60, leader: 'p2' },
    ];
    for (const claims of claimSets) {
      const token = await joseSigned(claims);
      for (const nowMs of [NOW_MS - 1, NOW_MS, NOW_MS + 499, NOW_MS + 500, NOW_MS + 999]) {
        const jose = await joseSays(token, nowMs);
        const expected = typeof jose === 'string' ? jose : 'invalid';
        expect({ claims, nowMs, verdict: await ours(token, nowMs) }).toEqual({
          claims,
          nowMs,
          verdict: expected,
        });
      }
    }
  });

  it('refuses an empty subject, which jose would accept', async () => {
    expect(await ours(await joseSigned({ sub: '', aud: AUD, exp: NOW + 60 }), NOW_MS)).toBe('invalid');
  });

  it('refuses forged, tampered, unsigned and malformed tokens, as jose does', async () => {
    const { token } = await createAccessTokens({ secret, now: () => NOW_MS }).issue('p1');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = { sub: 'p1', aud: AUD, exp: NOW + 60 };
    const forged = await joseSigned(claims, new Uint8Array(32).fill(7));
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    const notJson = Buffer.from('not json').toString('base64url');
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    /** Well signed, whatever it says: refused for what it says. */
    const signed = (input: string) =>
      `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .sign(new Uint8Array(64).fill(1));
    const bad = [
      forged,
      hs512,
      `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`,
      `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.`,
      `${header}.${otherPayload}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.`,
      `${header}..${signature}`,
      signed(`${header}.${notJson}`),
      signed(`${encode({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 })}.${encode(claims)}`),
      'not a token',
      '',
    ];
    for (const candidate of bad) {
      expect({ candidate, verdict: await ours(candidate, NOW_MS) }).toEqual({
        candidate,
        verdict: 'invalid',
      });
      expect(await joseSays(candidate, NOW_MS)).toBeUndefined();
    }
  });

  it('accepts what jose accepts in any other HS256 header', async () => {
    const claims = { sub: 'p1', aud: AUD, exp: NOW + 60 };
    const reordered = await new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(secret);
    const noTyp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const withKid = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret);
    for (const token of [reordered, noTyp, withKid]) {
      expect(await joseSays(token, NOW_MS)).toBe('p1');
      expect(await ours(token, NOW_MS)).toBe('p1');
    }
  });
});
