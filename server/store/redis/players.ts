/** Guest accounts on Redis: one hash per player (`name`, `createdAt`), each its own cluster slot. */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { checkText, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../input.ts';
import { clockTime } from '../period.ts';
import type { Player, PlayerStore } from '../types.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisScripts } from './scripts.ts';

/** The PlayerStore on Redis; `now` is the injected wall clock. */
export class RedisPlayers implements PlayerStore {
  readonly #client: Redis | Cluster;
  readonly #scripts: RedisScripts;
  readonly #keys: RedisKeys;
  readonly #now: () => number;

  constructor(client: Redis | Cluster, scripts: RedisScripts, keys: RedisKeys, now: () => number) {
    this.#client = client;
    this.#scripts = scripts;
    this.#keys = keys;
    this.#now = now;
  }

  async createGuest(name: string): Promise<Player> {
    const player = {
      id: randomUUID(),
      name: checkText('name', name, MAX_NAME_LENGTH),
      createdAt: clockTime(this.#now),
    };
    await this.#client.hset(this.#keys.player(player.id), 'name', player.name, 'createdAt', player.createdAt);
    return player;
  }

  async get(id: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const [name, createdAt] = await this.#client.hmget(this.#keys.player(id), 'name', 'createdAt');
    return name == null || createdAt == null ? undefined : { id, name, createdAt: Number(createdAt) };
  }

  async rename(id: string, name: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const renamed = await this.#scripts.run(
      'rename-player-1',
      [this.#keys.player(id)],
      [checkText('name', name, MAX_NAME_LENGTH)],
    );
    if (renamed === null) return undefined;
    const [stored, createdAt] = renamed as [string, string];
    return { id, name: stored, createdAt: Number(createdAt) };
  }
}
