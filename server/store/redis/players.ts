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
import { Cluster, type Redis } from 'ioredis';
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

/** Player hashes read per SCAN step of the one-time indexing of earlier players. */
const INDEX_BATCH = 500;

/**
 * Put the players of builds before the names index into it, once per namespace (a marker key says
 * it is done): every player hash without a `nameNonce` gets an entry, added before its nonce is
 * set (HSETNX, so a rename that got there first wins and the entry made here is taken back). Runs
 * over every master of a cluster. Idempotent: lobbies starting together may both run it.
 */
export async function indexEarlierPlayers(client: Redis | Cluster, keys: RedisKeys): Promise<number> {
  if ((await client.exists(keys.playerNamesIndexed)) === 1) return 0;
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  let indexed = 0;
  const match = `${keys.player('').slice(0, -1)}*`;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', INDEX_BATCH);
      cursor = next;
      const done = await Promise.all(found.map((key) => indexOne(client, keys, key)));
      indexed += done.filter(Boolean).length;
    } while (cursor !== '0');
  }
  await client.set(keys.playerNamesIndexed, '1');
  return indexed;
}

async function indexOne(client: Redis | Cluster, keys: RedisKeys, key: string): Promise<boolean> {
  const [name, nonce] = await client.hmget(key, 'name', 'nameNonce');
  if (name == null || nonce != null) return false;
  const id = key.slice(keys.player('').length - 1, -1);
  const fresh = newNonce();
  const added = entry(name, id, fresh);
  await client.zadd(keys.playerNames, 0, added);
  if ((await client.hsetnx(key, 'nameNonce', fresh)) === 1) {
    // Renamed by an earlier build since it was read: that name is the one to index.
    const [now] = await client.hmget(key, 'name');
    if (now === name) return true;
    await client.zadd(keys.playerNames, 0, entry(now ?? name, id, fresh));
    await client.zrem(keys.playerNames, added);
    return true;
  }
  await client.zrem(keys.playerNames, added);
  return false;
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
          return name != null &&
            createdAt != null &&
            current === nonce &&
            foldName(name).startsWith(search.fold)
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
