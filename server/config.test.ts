import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults for local development', () => {
    const config = loadConfig({});
    expect(config.game.port).toBe(2567);
    expect(config.game.devSeats).toBe(false);
    expect(config.game.tls).toBeUndefined();
    expect(config.game.allowedOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
  });

  it('serves dev seats only when asked for, on any host', () => {
    expect(loadConfig({ TICKFORGE_HOST: '127.0.0.1' }).game.devSeats).toBe(false);
    expect(loadConfig({ TICKFORGE_HOST: '0.0.0.0', TICKFORGE_DEV_SEATS: 'on' }).game.devSeats).toBe(true);
    expect(loadConfig({ TICKFORGE_DEV_SEATS: 'true' }).game.devSeats).toBe(true);
  });

  it.each([
    [{ TICKFORGE_GAME_PORT: '70000' }, 'TICKFORGE_GAME_PORT must be an integer from 0 to 65535, got "70000"'],
    [{ TICKFORGE_TRANSPORT: 'tcp' }, 'TICKFORGE_TRANSPORT must be one of auto, uws, ws, got "tcp"'],
    [{ TICKFORGE_DEV_SEATS: 'maybe' }, 'TICKFORGE_DEV_SEATS must be true or false, got "maybe"'],
    [{ TICKFORGE_TLS_KEY: 'k.pem' }, 'TICKFORGE_TLS_KEY and TICKFORGE_TLS_CERT must be set together'],
    [{ TICKFORGE_SEAT_SECRET: 'short' }, 'TICKFORGE_SEAT_SECRET must be at least 32 characters'],
    [
      // Prometheus sends it as `Authorization: Bearer <token>`: a space or `!` could never match.
      { TICKFORGE_METRICS_TOKEN: 'metrics token with spaces!' },
      'TICKFORGE_METRICS_TOKEN must be usable as a Bearer credential: letters, digits and - . _ ~ + / (= only at the end)',
    ],
    [
      { TICKFORGE_PUBLIC_URL: 'http://x' },
      'TICKFORGE_PUBLIC_URL must be a ws:// or wss:// URL, got "http://x"',
    ],
    [
      { TICKFORGE_INTERNAL_URL: 'ws://10.0.0.11:2567' },
      'TICKFORGE_INTERNAL_URL must be an http:// or https:// URL, got "ws://10.0.0.11:2567"',
    ],
    [
      { TICKFORGE_SLOW_CLIENT_BUFFER_BYTES: '9000', TICKFORGE_SLOW_CLIENT_CLOSE_BYTES: '8000' },
      'TICKFORGE_SLOW_CLIENT_CLOSE_BYTES must be >= TICKFORGE_SLOW_CLIENT_BUFFER_BYTES',
    ],
  ])('rejects %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it("reads the node's internal URL, unset by default (the node derives it from where it listens)", () => {
    expect(loadConfig({}).game.internalUrl).toBeUndefined();
    expect(loadConfig({ TICKFORGE_INTERNAL_URL: 'http://10.0.0.11:2567' }).game.internalUrl).toBe(
      'http://10.0.0.11:2567',
    );
  });

  it('reads lists and TLS settings', () => {
    const config = loadConfig({
      TICKFORGE_ALLOWED_ORIGINS: ' https://a.example , https://b.example ',
      TICKFORGE_TLS_KEY: 'k.pem',
      TICKFORGE_TLS_CERT: 'c.pem',
    });
    expect(config.game.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.game.tls).toEqual({ keyFile: 'k.pem', certFile: 'c.pem' });
  });
});
