import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, createAccessTokens } from './tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

describe('access tokens', () => {
  it('a token verified once is still refused once it expires', async () => {
    let now = Date.UTC(2026, 11, 1);
    const tokens = createAccessTokens({ secret, now: () => now, ttlMs: 60_000 });
    const { token } = await tokens.issue('p1');
    expect(await tokens.verify(token)).toBe('p1');
    expect(await tokens.verify(token)).toBe('p1');
    now += 60_000 - 1;
    expect(await tokens.verify(token)).toBe('p1');
    now += 1;
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('a token first seen after its expiry is refused', async () => {
    let now = Date.UTC(2026, 11, 1);
    const tokens = createAccessTokens({ secret, now: () => now, ttlMs: 60_000 });
    const { token, expiresAt } = await tokens.issue('p1');
    now = expiresAt;
    expect(await createAccessTokens({ secret, now: () => now }).verify(token)).toBeUndefined();
  });

  it('still takes jose’s word for a valid token in another header, and refuses other algorithms', async () => {
    const now = Date.UTC(2026, 11, 1);
    const tokens = createAccessTokens({ secret, now: () => now });
    const claims = { sub: 'p1', aud: ACCESS_TOKEN_AUDIENCE, exp: now / 1000 + 60 };
    const reordered = await new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(secret);
    expect(await tokens.verify(reordered)).toBe('p1');
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .sign(new Uint8Array(64).fill(1));
    expect(await tokens.verify(hs512)).toBeUndefined();
    const expired = await new SignJWT({ ...claims, exp: now / 1000 })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
      .sign(secret);
    expect(await tokens.verify(expired)).toBeUndefined();
  });

  it('refuses a token signed with another secret, and a tampered one, even after a valid one', async () => {
    const tokens = createAccessTokens({ secret, now: Date.now });
    const other = createAccessTokens({ secret: new TextEncoder().encode('x'.repeat(32)), now: Date.now });
    const { token } = await tokens.issue('p1');
    expect(await tokens.verify(token)).toBe('p1');
    expect(await tokens.verify((await other.issue('p1')).token)).toBeUndefined();
    expect(await tokens.verify(`${token.slice(0, -2)}xx`)).toBeUndefined();
  });
});
