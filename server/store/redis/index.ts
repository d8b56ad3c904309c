/**
 * The Redis store: players, leaderboards, the room directory, matchmaking tickets and their queue
 * leases, and request budgets in one Redis (or Redis Cluster), shared by any number of lobby and
 * game node processes. Every multi-key update is one Lua script (scripts.ts); keys are named in
 * keys.ts; time comes from the injected clock (set to Redis's own with `clock: 'redis'`, as
 * deployments do), and no Redis TTL decides anything but a request budget's window (budgets.ts).
 *
 * One call gives a process everything it needs, so selecting Redis is opening this instead of
 * the embedded store; nothing else in the lobby or the game node changes:
 *
 *   openRedisStore({ url, prefix?, boards, now, ticketRetainMs?, onError? }): Promise<Store>
 *     .players .leaderboards .rooms   the seams every store has
 *     .tickets                        with `watch` over pub/sub (any lobby hears any lobby's change)
 *                                     and `lease` (matchmaking: one lobby per queue, fenced claims)
 *     .budgets                        request budgets every lobby spends from (createLobbyApp uses
 *                                     them when present; they fail open to per-lobby memory)
 *     .durable                        true when Redis fsyncs every write (appendonly yes, appendfsync
 *                                     always), read at open; game nodes confirm reports otherwise
 *     .close()                        closes the connections the store opened (not a given `client`)
 *
 * It opens two connections (commands, and one subscriber for ticket changes), or uses `client`
 * (an ioredis Redis or Cluster) and a duplicate of it.
 */
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { BoardRegistry } from '../boards.ts';
import { InvalidArgumentError } from '../errors.ts';
import { DEFAULT_TICKET_RETAIN_MS } from '../memory/tickets.ts';
import type { Store, StoreOptions } from '../types.ts';
import { RedisBudgets } from './budgets.ts';
import { RedisKeys } from './keys.ts';
import { openNamespace } from './layout.ts';
import { RedisLeaderboards } from './leaderboards.ts';
import { indexEarlierPlayers, RedisPlayers } from './players.ts';
import { RedisClock } from './redis-clock.ts';
import { RedisRoomDirectory } from './room-directory.ts';
import { RedisScripts } from './scripts.ts';
import { TicketWatchers } from './ticket-watch.ts';
import { RedisTickets, toTicket } from './tickets.ts';

export { KEY_LAYOUT_VERSION, RedisKeys } from './keys.ts';

/** The namespace when none is given. */
export const DEFAULT_PREFIX = 'tickforge';

/**
 * How many reconnection attempts a command queued while the connection is down waits through before
 * it fails (ioredis's default is 20): a request answers with an error soon after Redis goes away
 * rather than hanging, and a brief reconnect still goes unnoticed.
 */
const MAX_RETRIES_PER_REQUEST = 3;

/**
 * How long a command sent on an open connection may wait for its answer (ms) before it fails as
 * unavailable: a Redis that keeps the connection but does not answer (paused, stalled, packets
 * dropped without a reset) must not hang a lobby request, /ready or a node's heartbeat (and with it
 * the node's shutdown). Far above any one script's run time.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/** Where and how to open the Redis store. */
export interface RedisStoreOptions extends Partial<StoreOptions> {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`); needed unless `client` is given. */
  readonly url?: string;
  /** An ioredis client or Cluster to use instead; the store defines its scripts on it and never closes it. */
  readonly client?: Redis | Cluster;
  /** Namespace of every key (1-64 of `A-Z a-z 0-9 _ . : -`); default `tickforge`. */
  readonly prefix?: string;
  /** How long a final ticket stays readable (ms, injected clock); default 5 minutes. */
  readonly ticketRetainMs?: number;
  /** See DEFAULT_COMMAND_TIMEOUT_MS; applies to a connection the store opens from `url`. */
  readonly commandTimeoutMs?: number;
  /**
   * `local` (default): `now` is the store's time, as tests inject it. `redis`: `now` plus the offset
   * to the Redis server's clock (redis-clock.ts), so processes whose clocks differ still agree on
   * when a node's heartbeat, a hold or a ticket expires. Deployments use `redis`.
   */
  readonly clock?: 'local' | 'redis';
  /** Errors of background work (the connections reconnect on their own; a watcher that threw). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Open the Redis store: the server and the namespace's key layout are checked, each board's sort
 * order pinned, the ticket channel subscribed.
 * @example
 * const store = await openRedisStore({ url: process.env.REDIS_URL, prefix: 'tickforge', boards, now: Date.now });
 * await store.leaderboards.top('kills-weekly', { limit: 10 });
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<Store> {
  const boards = new BoardRegistry(options.boards ?? []);
  const keys = new RedisKeys(options.prefix ?? DEFAULT_PREFIX);
  const onError = options.onError ?? ((error: unknown) => console.error('redis store:', error));
  const owned = options.client === undefined;
  const client =
    options.client ??
    (await connect(options.url, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, onError));
  // A subscribed connection can do nothing else: watching tickets takes one of its own.
  // A plain Redis subscriber does not resubscribe by itself: ioredis's own resubscribe after a
  // reconnect has no rejection handler, so a connection lost again at that moment (a restart, or
  // close() during the reconnect) ended in an unhandled rejection, which ends a Node process.
  // TicketWatchers subscribes again on every 'ready' itself, catching what fails.
  const subscriber: Redis | Cluster =
    client instanceof Cluster ? client.duplicate() : client.duplicate({ autoResubscribe: false });
  let clock: RedisClock | undefined;
  try {
    await openNamespace(client, keys);
    const local = options.now ?? Date.now;
    clock = options.clock === 'redis' ? await RedisClock.open(client, local, onError) : undefined;
    const now = clock?.now ?? local;
    await indexEarlierPlayers(client, keys);
    const scripts = new RedisScripts(client);
    const leaderboards = new RedisLeaderboards(scripts, keys, boards, now);
    await leaderboards.pinSortOrders();
    const origin = randomUUID();
    const tickets = new RedisTickets({
      scripts,
      keys,
      now,
      retainMs: options.ticketRetainMs ?? DEFAULT_TICKET_RETAIN_MS,
      origin,
    });
    const watchers = await TicketWatchers.open({
      subscriber,
      channel: keys.ticketChanges,
      origin,
      decode: toTicket,
      read: (ticketId) => tickets.get(ticketId),
      onError,
    });
    tickets.listen(watchers);
    const durable = await fsyncsEveryWrite(client);
    let closing: Promise<void> | undefined;
    return {
      players: new RedisPlayers(client, scripts, keys, now),
      leaderboards,
      rooms: new RedisRoomDirectory(scripts, keys, now),
      tickets,
      budgets: new RedisBudgets(client, keys),
      durable,
      close: () => {
        closing ??= (async () => {
          clock?.close();
          await watchers.close();
          if (owned) await client.quit().catch(() => client.disconnect());
        })();
        return closing;
      },
    };
  } catch (error) {
    clock?.close();
    subscriber.disconnect();
    if (owned) client.disconnect();
    throw error;
  }
}

/** A connected client for `url`; fails (naming the host, never the password) when unreachable. */
/**
 * Whether every Redis write is on disk before Redis answers it: `appendonly yes` with `appendfsync
 * always`, on every master of a cluster. Read once, at open. A server that refuses CONFIG (managed
 * services often rename it) or answers anything else is not trusted to be durable: game nodes then
 * confirm each match report after a window, which costs one more request per match and nothing else.
 */
async function fsyncsEveryWrite(client: Redis | Cluster): Promise<boolean> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  if (servers.length === 0) return false;
  try {
    const answers = await Promise.all(
      servers.map(async (server) => {
        const [, appendonly] = (await server.config('GET', 'appendonly')) as string[];
        const [, appendfsync] = (await server.config('GET', 'appendfsync')) as string[];
        return appendonly === 'yes' && appendfsync === 'always';
      }),
    );
    return answers.every(Boolean);
  } catch {
    return false;
  }
}

async function connect(
  url: string | undefined,
  commandTimeout: number,
  onError: (error: unknown) => void,
): Promise<Redis> {
  if (typeof url !== 'string' || url === '') {
    throw new InvalidArgumentError('url', 'or client is required to open the Redis store');
  }
  let where: string;
  try {
    where = new URL(url).host;
  } catch {
    throw new InvalidArgumentError('url', 'must be a redis:// or rediss:// URL');
  }
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
    commandTimeout,
  });
  let connected = false;
  // Once open, a lost connection is retried in the background; failing to open is thrown below.
  client.on('error', (error: unknown) => {
    if (connected) onError(error);
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot connect to Redis at ${where}: ${(error as Error).message}`, { cause: error });
  }
  connected = true;
  return client;
}
