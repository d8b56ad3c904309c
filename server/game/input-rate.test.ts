import { describe, expect, it } from 'vitest';
import { InputRate } from './input-rate.ts';

describe('InputRate', () => {
  it('accepts a steady stream at the rate', () => {
    const rate = new InputRate(20, 5, 0);
    const results = Array.from({ length: 200 }, (_, i) => rate.take(i * 50));
    expect(results.every((r) => r === 'ok')).toBe(true);
  });

  it('allows a burst, then drops what is over the rate', () => {
    const rate = new InputRate(20, 5, 0);
    const results = Array.from({ length: 8 }, () => rate.take(0));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'drop', 'drop', 'drop']);
  });

  it('calls a sustained flood a flood within one window', () => {
    const rate = new InputRate(20, 5, 0);
    const results: string[] = [];
    // 100 inputs per second, 5x the rate.
    for (let t = 0; t < 1000 && results.at(-1) !== 'flood'; t += 10) results.push(rate.take(t));
    expect(results.at(-1)).toBe('flood');
    expect(results.filter((r) => r === 'drop').length).toBe(20);
  });

  it('forgives drops from an earlier window', () => {
    const rate = new InputRate(10, 1, 0);
    for (let i = 0; i < 10; i++) expect(rate.take(0)).not.toBe('flood');
    expect(rate.take(5_000)).toBe('ok');
    for (let i = 0; i < 10; i++) expect(rate.take(5_000)).not.toBe('flood');
  });
});
