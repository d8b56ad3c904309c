import { describe, expect, it } from 'vitest';
import { createAccessTokens } from './tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!');

describe('access tokens', () => {
  it('a token verified once is still refused once it expires', async () => {
    let now = Date.UTC(2026, 11, 1);
    const tokens = createAccessTokens({ secret, now: () => now, ttlMs: 60_000 });
    const { token } = await tokens.issue('p1');
    expect(await tokens.verify(token)).toBe('p1');
    expect(await tokens.verify(token)).toBe('p1');
    now += 60_000;
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.verify(token)).toBeUndefined();
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
