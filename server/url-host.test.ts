import { describe, expect, it } from 'vitest';
import { urlHost } from './url-host.ts';

describe('urlHost', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['0.0.0.0', '127.0.0.1'],
    ['::', '[::1]'],
    ['::1', '[::1]'],
    ['fe80::1', '[fe80::1]'],
    ['[::1]', '[::1]'],
  ])('%s -> %s', (host, expected) => {
    expect(urlHost(host)).toBe(expected);
    expect(() => new URL(`http://${urlHost(host)}:1/`)).not.toThrow();
  });
});
