/**
 * Guest accounts on Redis: one hash per player (`name`, `createdAt`, `nameNonce`), each its own
 * cluster slot, and a names index for search by name (keys.playerNames), a sorted set in a slot of
 * its own. A player hash and the index cannot share a transaction on a cluster, so they are kept in
 * step by order and by a nonce instead:
 * - each name a player takes gets an index entry `<folded name>\0<id>\0<nonce>` with a fresh
 *   nonce, added BEFORE the hash shows the name (sign-up, rename), so a name that can be read is
 *   always in the index;
 * - a rename removes the entry of the name it replaced, after, by that name's own nonce: an entry
 *   is never removed for a name still shown, whatever renames of the same player interleave;
 * - a search reads candidates from the index and keeps those whose hash still holds the entry's
 *   nonce, so an entry left by a crash between two steps, or by a failed sign-up, is never shown.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { checkNameSearch, checkText, foldName, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../input.ts';
import { clockTime } from '../period.ts';
import type { Player, PlayerStore } from '../types.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisScripts } from './scripts.ts';

/** Index reads one search makes at most (entries of stale names are skipped, so it may need more than one). */
const MAX_SEARCH_READS = 4;

const newNonce = (): string => randomBytes(6).toString('hex');
const entry = (name: string, id: string, nonce: string): string => `${foldName(name)}\0${id}\0${nonce}`;

/** An index entry's player id and nonce (the name before them may itself hold a NUL). */
function parseEntry(member: string): { id: string; nonce: string } {
  const nonceAt = member.lastIndexOf('\0');
  const idAt = member.lastIndexOf('\0', nonceAt - 1);
  return { id: member.slice(idAt + 1, nonceAt), nonce: member.slice(nonceAt + 1) };
}

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
    const nonce = newNonce();
    await this.#client.zadd(this.#keys.playerNames, 0, entry(player.name, player.id, nonce));
    await this.#client.hset(
      this.#keys.player(player.id),
      'name',
      player.name,
      'createdAt',
      player.createdAt,
      'nameNonce',
      nonce,
    );
    return player;
  }

  async get(id: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    const [name, createdAt] = await this.#client.hmget(this.#keys.player(id), 'name', 'createdAt');
    return name == null || createdAt == null ? undefined : { id, name, createdAt: Number(createdAt) };
  }

  async rename(id: string, name: string): Promise<Player | undefined> {
    checkText('id', id, MAX_ID_LENGTH);
    checkText('name', name, MAX_NAME_LENGTH);
    const nonce = newNonce();
    const added = entry(name, id, nonce);
    await this.#client.zadd(this.#keys.playerNames, 0, added);
    const renamed = await this.#scripts.run('rename-player-1', [this.#keys.player(id)], [name, nonce]);
    if (renamed === null) {
      await this.#client.zrem(this.#keys.playerNames, added);
      return undefined;
    }
    const [stored, createdAt, oldName, oldNonce] = renamed as [string, string, string | null, string | null];
    // A player of an earlier build has no nonce, and no entry to remove.
    if (oldName != null && oldNonce != null) {
      await this.#client.zrem(this.#keys.playerNames, entry(oldName, id, oldNonce));
    }
    return { id, name: stored, createdAt: Number(createdAt) };
  }

  async findByName(prefix: string, limit?: number): Promise<Player[]> {
    const search = checkNameSearch(prefix, limit);
    const found: Player[] = [];
    // Every member starting with the folded prefix: [prefix up to [prefix followed by byte 0xff,
    // which no UTF-8 text holds.
    let from: Buffer = Buffer.from(`[${search.fold}`);
    const to = Buffer.concat([Buffer.from(`[${search.fold}`), Buffer.from([0xff])]);
    for (let read = 0; read < MAX_SEARCH_READS && found.length < search.limit; read++) {
      const want = search.limit - found.length;
      const members = await this.#client.zrangebylex(this.#keys.playerNames, from, to, 'LIMIT', 0, want);
      const players = await Promise.all(
        members.map(async (member) => {
          const { id, nonce } = parseEntry(member);
          const [name, createdAt, current] = await this.#client.hmget(
            this.#keys.player(id),
            'name',
            'createdAt',
            'nameNonce',
          );
          return name != null && createdAt != null && current === nonce
            ? { id, name, createdAt: Number(createdAt) }
            : undefined;
        }),
      );
      for (const player of players) if (player) found.push(player);
      if (members.length < want) break;
      from = Buffer.from(`(${members.at(-1)}`);
    }
    return found;
  }
}
