import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('lobby settings', () => {
  it('default to a lobby on 2568 with arena boards, generated secrets and per-IP limits', () => {
    const { lobby } = loadConfig({});
    expect(lobby.port).toBe(2568);
    expect(lobby.accessSecret).toBeUndefined();
    expect(lobby.boards).toEqual([
      { id: 'arena', mode: 'arena', sort: 'desc', operator: 'best', reset: 'never' },
      { id: 'arena-weekly', mode: 'arena', sort: 'desc', operator: 'increment', reset: 'weekly' },
    ]);
    expect(lobby.rateLimits).toMatchObject({ ipPerMinute: 1200, playerPerMinute: 600, guestPerMinute: 60 });
    expect(lobby.fillWaitMs).toBeUndefined();
    expect(lobby.roomOptions).toEqual({});
    expect(lobby.roomLimits).toEqual({ perPlayer: 3, perAddress: 100 });
  });

  it('reads boards, room options, limits and the fill wait', () => {
    const { lobby } = loadConfig({
      TICKFORGE_LEADERBOARDS: 'laps:race:asc:best:daily',
      TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":30}}',
      TICKFORGE_RATE_LIMIT_IP_PER_MIN: '0',
      TICKFORGE_MATCH_FILL_WAIT_MS: '0',
      TICKFORGE_MAX_ROOMS_PER_PLAYER: '1',
      TICKFORGE_MAX_ROOMS_PER_IP: '0',
    });
    expect(lobby.boards).toEqual([
      { id: 'laps', mode: 'race', sort: 'asc', operator: 'best', reset: 'daily' },
    ]);
    expect(lobby.roomOptions).toEqual({ arena: { matchSeconds: 30 } });
    expect(lobby.rateLimits.ipPerMinute).toBe(0);
    expect(lobby.fillWaitMs).toBe(0);
    expect(lobby.roomLimits).toEqual({ perPlayer: 1, perAddress: 0 });
  });

  it.each([
    [
      { TICKFORGE_LEADERBOARDS: 'arena:arena:up:best:never' },
      /TICKFORGE_LEADERBOARDS: .*sort must be one of desc, asc/,
    ],
    [
      { TICKFORGE_LEADERBOARDS: 'arena' },
      /TICKFORGE_LEADERBOARDS: "arena" must be id:mode:sort:operator:reset/,
    ],
    [{ TICKFORGE_ROOM_OPTIONS: '{oops' }, /TICKFORGE_ROOM_OPTIONS must be JSON/],
    [{ TICKFORGE_ROOM_OPTIONS: '{"arena":3}' }, /TICKFORGE_ROOM_OPTIONS must be an object of objects/],
    [{ TICKFORGE_SERVER_KEY: 'short' }, /TICKFORGE_SERVER_KEY must be at least 32 characters/],
    // Keys travel as `Authorization: Bearer <key>` (nodes, curl, the lobby's calls to nodes): one
    // that is not a Bearer token68 would pass the console's form but be refused on every such call.
    [
      { TICKFORGE_ADMIN_KEY: 'an admin key with spaces in it, long enough!' },
      /TICKFORGE_ADMIN_KEY must be usable as a Bearer credential/,
    ],
    [
      { TICKFORGE_SERVER_KEY: 'server#key#that#is#long#enough#to#pass#the#length' },
      /TICKFORGE_SERVER_KEY must be usable as a Bearer credential/,
    ],
    [{ TICKFORGE_LOBBY_URL: 'ws://x' }, /TICKFORGE_LOBBY_URL must be an http/],
    [{ TICKFORGE_SEAT_TTL_S: '301' }, /TICKFORGE_SEAT_TTL_S must be an integer from 5 to 300/],
    [{ TICKFORGE_MAX_ROOMS_PER_IP: '-1' }, /TICKFORGE_MAX_ROOMS_PER_IP must be an integer from 0/],
  ])('rejects %o, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
