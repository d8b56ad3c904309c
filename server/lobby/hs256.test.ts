import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { HS256_HEADER, Hs256 } from './hs256.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');
const AUD = 'tickforge-lobby';
const NOW_MS = Date.UTC(2026, 11, 1, 12);
const NOW = NOW_MS / 1000;
const hs256 = new Hs256(secret);

/** jose's verdict with the options the lobby's access tokens use. */
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

const ours = (token: string, nowMs: number) => {
  const checked = hs256.check(token, AUD, nowMs);
  return checked.kind === 'valid' ? checked.sub : checked.kind;
};

/** A token jose signs in the lobby's header over any payload. */
const joseSigned = (payload: Record<string, unknown>, key = secret) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);

describe('HS256 on node:crypto', () => {
  it('signs tokens jose accepts, in the header jose wrote', async () => {
    const token = hs256.sign({ sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 });
    expect(token.startsWith(`${HS256_HEADER}.`)).toBe(true);
    expect(await joseSays(token, NOW_MS)).toBe('p1');
    // jose's own tokens in that header are byte-identical to ours.
    expect(await joseSigned({ sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 })).toBe(token);
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
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: NOW },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: NOW + 1 },
      { sub: 'p1', aud: AUD, exp: NOW + 60, nbf: 'soon' },
      { sub: 'p1', aud: AUD, exp: NOW + 60, iat: 'then' },
      { sub: 'p1', aud: AUD, exp: NOW + 60, iat: NOW + 3600 },
      { sub: 'p1', exp: NOW + 60 },
      { sub: 'p1', aud: 'tickforge-party', exp: NOW + 60 },
      { sub: 'p1', aud: ['other', AUD], exp: NOW + 60 },
      { sub: 'p1', aud: ['other'], exp: NOW + 60 },
      { aud: AUD, exp: NOW + 60 },
      { sub: 42, aud: AUD, exp: NOW + 60 },
      { sub: 'p1', aud: AUD, exp: NOW + 60, leader: 'p2' },
    ];
    for (const claims of claimSets) {
      const token = await joseSigned(claims);
      for (const nowMs of [NOW_MS - 1, NOW_MS, NOW_MS + 999]) {
        const jose = await joseSays(token, nowMs);
        const expected = typeof jose === 'string' ? jose : 'invalid';
        expect({ claims, nowMs, verdict: ours(token, nowMs) }).toEqual({ claims, nowMs, verdict: expected });
      }
    }
  });

  it('refuses an empty subject, which jose would accept', async () => {
    expect(ours(await joseSigned({ sub: '', aud: AUD, exp: NOW + 60 }), NOW_MS)).toBe('invalid');
  });

  it('refuses forged, tampered and malformed tokens in its header', async () => {
    const token = hs256.sign({ sub: 'p1', aud: AUD, iat: NOW, exp: NOW + 60 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = await joseSigned({ sub: 'p1', aud: AUD, exp: NOW + 60 }, new Uint8Array(32).fill(7));
    const otherPayload = Buffer.from(JSON.stringify({ sub: 'admin', aud: AUD, exp: NOW + 60 })).toString(
      'base64url',
    );
    const notJson = Buffer.from('not json').toString('base64url');
    const bad = [
      forged,
      `${header}.${otherPayload}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.`,
      `${header}..${signature}`,
      `${header}.${notJson}.${new Hs256(secret).sign({ sub: 'x', aud: AUD, iat: 0, exp: 0 }).split('.')[2]}`,
    ];
    for (const candidate of bad) {
      expect({ candidate, verdict: ours(candidate, NOW_MS) }).toEqual({ candidate, verdict: 'invalid' });
      expect(await joseSays(candidate, NOW_MS)).toBeUndefined();
    }
  });

  it('leaves tokens in any other header to the caller', async () => {
    const claims = { sub: 'p1', aud: AUD, exp: NOW + 60 };
    const reordered = await new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(secret);
    const noTyp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    for (const token of [reordered, noTyp, unsigned, 'not a token', '']) {
      expect(hs256.check(token, AUD, NOW_MS)).toEqual({ kind: 'other-shape' });
    }
  });
});
