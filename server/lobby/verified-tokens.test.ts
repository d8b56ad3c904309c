import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from './verified-tokens.ts';

describe('verified tokens', () => {
  it('answers until the expiry, then refuses and forgets', () => {
    const cache = new VerifiedTokens(10);
    cache.remember('t1', 'p1', 5_000);
    expect(cache.lookup('t1', 4_999)).toBe('p1');
    expect(cache.lookup('t1', 5_000)).toBeNull();
    expect(cache.lookup('t1', 4_999)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never holds more than its capacity, forgetting the least recently used first', () => {
    const cache = new VerifiedTokens(3);
    cache.remember('a', 'pa', 1e12);
    cache.remember('b', 'pb', 1e12);
    cache.remember('c', 'pc', 1e12);
    expect(cache.lookup('a', 0)).toBe('pa'); // a is now the most recently used
    cache.remember('d', 'pd', 1e12);
    expect(cache.size).toBe(3);
    expect(cache.lookup('b', 0)).toBeUndefined();
    expect([cache.lookup('a', 0), cache.lookup('c', 0), cache.lookup('d', 0)]).toEqual(['pa', 'pc', 'pd']);
    for (let i = 0; i < 100; i++) cache.remember(`t${i}`, `p${i}`, 1e12);
    expect(cache.size).toBe(3);
    cache.remember('t99', 'p99', 1e12); // remembering a known token again does not grow it
    expect(cache.size).toBe(3);
  });

  it('once full, forgets the least recently used eighth together and keeps the rest', () => {
    const cache = new VerifiedTokens(16);
    for (let i = 0; i < 16; i++) cache.remember(`t${i}`, `p${i}`, 1e12);
    expect(cache.lookup('t0', 0)).toBe('p0'); // t0 is now the most recently used
    cache.remember('new', 'pn', 1e12);
    // t1 and t2 were the two least recently used: 16 / 8 forgotten, the new one added.
    expect(cache.size).toBe(15);
    expect([cache.lookup('t1', 0), cache.lookup('t2', 0)]).toEqual([undefined, undefined]);
    for (const i of [0, 3, 15]) expect(cache.lookup(`t${i}`, 0)).toBe(`p${i}`);
    expect(cache.lookup('new', 0)).toBe('pn');
    // Not full now: the next one forgets nothing.
    cache.remember('next', 'px', 1e12);
    expect(cache.size).toBe(16);
  });
});
