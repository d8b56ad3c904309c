import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.ts';

describe('originAllowed', () => {
  const patterns = ['https://play.example.com', 'http://localhost:*'];

  it('allows listed origins and any port of a wildcard host', () => {
    expect(originAllowed('https://play.example.com', patterns)).toBe(true);
    expect(originAllowed('http://localhost:5173', patterns)).toBe(true);
  });

  it('refuses lookalikes', () => {
    expect(originAllowed('https://play.example.com.evil.io', patterns)).toBe(false);
    expect(originAllowed('http://localhost.evil.io:80', patterns)).toBe(false);
    expect(originAllowed('http://localhost:80/x', patterns)).toBe(false);
    expect(originAllowed('http://localhost', patterns)).toBe(false);
    expect(originAllowed('null', patterns)).toBe(false);
  });

  it('allows clients that send no Origin, and everything with *', () => {
    expect(originAllowed(undefined, patterns)).toBe(true);
    expect(originAllowed('https://anything.example', ['*'])).toBe(true);
  });
});
