import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const SECRET = 'x'.repeat(32);
const SECRETS = {
  TICKFORGE_SEAT_SECRET: SECRET,
  TICKFORGE_ACCESS_SECRET: SECRET,
  TICKFORGE_SERVER_KEY: SECRET,
  TICKFORGE_ADMIN_KEY: SECRET,
};

describe('deployment settings', () => {
  it('default to one process on the embedded store, needing nothing', () => {
    const { deployment, game } = loadConfig({});
    expect(deployment).toEqual({
      role: 'all',
      store: { kind: 'embedded' },
      heartbeatMs: 1000,
      lobbyUrls: [],
    });
    expect(game.nodeId).toBe('node-1');
  });

  it('put lobby and game roles on Redis, with a prefix', () => {
    const lobby = loadConfig({ ...SECRETS, TICKFORGE_ROLE: 'lobby', TICKFORGE_REDIS_PREFIX: 'staging' });
    expect(lobby.deployment.store).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      prefix: 'staging',
    });
    const game = loadConfig({
      TICKFORGE_SEAT_SECRET: SECRET,
      TICKFORGE_SERVER_KEY: SECRET,
      TICKFORGE_ROLE: 'game',
      TICKFORGE_LOBBY_URL: 'http://a:2568, http://b:2568',
      TICKFORGE_REDIS_URL: 'redis://redis.internal:6380/2',
    });
    expect(game.deployment.lobbyUrls).toEqual(['http://a:2568', 'http://b:2568']);
    expect(game.deployment.store).toMatchObject({ url: 'redis://redis.internal:6380/2' });
    // Nodes that share a store never share an id unless told to, whatever their role.
    expect(loadConfig({ ...SECRETS, TICKFORGE_STORE: 'redis' }).game.nodeId).not.toBe('node-1');
    expect(game.game.nodeId).not.toBe('node-1');
    expect(game.game.nodeId).not.toBe(
      loadConfig({ ...SECRETS, TICKFORGE_ROLE: 'game', TICKFORGE_LOBBY_URL: 'http://a' }).game.nodeId,
    );
  });

  it.each([
    [{ TICKFORGE_ROLE: 'worker' }, /TICKFORGE_ROLE must be one of all, lobby, game, got "worker"/],
    [{ TICKFORGE_STORE: 'postgres' }, /TICKFORGE_STORE must be one of embedded, redis/],
    [
      { ...SECRETS, TICKFORGE_ROLE: 'lobby', TICKFORGE_STORE: 'embedded' },
      /TICKFORGE_ROLE=lobby needs TICKFORGE_STORE=redis/,
    ],
    [
      { TICKFORGE_STORE: 'redis', TICKFORGE_REDIS_URL: 'http://x' },
      /TICKFORGE_REDIS_URL must be a redis:\/\//,
    ],
    [{ TICKFORGE_REDIS_PREFIX: '{x}' }, /TICKFORGE_REDIS_PREFIX must be 1-64/],
    [{ ...SECRETS, TICKFORGE_ROLE: 'game' }, /TICKFORGE_ROLE=game needs TICKFORGE_LOBBY_URL/],
    [{ TICKFORGE_LOBBY_URL: 'ws://x' }, /TICKFORGE_LOBBY_URL must be an http:\/\//],
    [{ TICKFORGE_HEARTBEAT_MS: '10' }, /TICKFORGE_HEARTBEAT_MS must be an integer from 50/],
  ])('refuse %o, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuse to generate a secret that other processes must share, naming each missing one', () => {
    expect(() => loadConfig({ TICKFORGE_ROLE: 'lobby', TICKFORGE_SEAT_SECRET: SECRET })).toThrow(
      /^TICKFORGE_ACCESS_SECRET, TICKFORGE_SERVER_KEY, TICKFORGE_ADMIN_KEY must be set .*TICKFORGE_ROLE=lobby/,
    );
    expect(() => loadConfig({ TICKFORGE_ROLE: 'game', TICKFORGE_LOBBY_URL: 'http://a' })).toThrow(
      /^TICKFORGE_SEAT_SECRET, TICKFORGE_SERVER_KEY must be set/,
    );
    expect(() => loadConfig({ TICKFORGE_STORE: 'redis', ...SECRETS, TICKFORGE_ADMIN_KEY: '' })).toThrow(
      /^TICKFORGE_ADMIN_KEY must be set .*TICKFORGE_STORE=redis/,
    );
    // A password in the Redis URL never shows in a message.
    expect(() => loadConfig({ TICKFORGE_REDIS_URL: 'http://u:hunter2@x' })).toThrow(/u:\*\*\*@x/);
  });
});
