/**
 * What a Redis store checks before it touches data: a server new enough for its scripts, and a
 * namespace whose key layout it knows. The layout version is stored in the namespace the first time
 * a store opens it; a later build that changes the layout bumps KEY_LAYOUT_VERSION and migrates, and
 * an older build refuses the newer layout instead of misreading it.
 */
import type { Cluster, Redis } from 'ioredis';
import { SchemaTooNewError } from '../errors.ts';
import { KEY_LAYOUT_VERSION, type RedisKeys } from './keys.ts';

/** Script shebangs and flags (`#!lua flags=no-writes`) and `SET NX GET` need Redis 7.0. */
export const MIN_REDIS_MAJOR = 7;

/** Refuse a server older than Redis 7, from its `INFO server` text. */
export function checkServerVersion(info: string): void {
  const version = /^redis_version:(\S+)/m.exec(info)?.[1];
  const major = Number(version?.split('.')[0]);
  if (!(major >= MIN_REDIS_MAJOR)) {
    throw new Error(
      `the Redis store needs Redis ${MIN_REDIS_MAJOR}.0 or newer; the server is ${version ?? 'unknown'}`,
    );
  }
}

/** Refuse a stored layout marker other than this build's. */
export function checkLayout(key: string, found: string | null): void {
  if (found === null || found === String(KEY_LAYOUT_VERSION)) return;
  if (/^[1-9][0-9]*$/.test(found) && Number(found) > KEY_LAYOUT_VERSION) {
    throw new SchemaTooNewError(Number(found), KEY_LAYOUT_VERSION);
  }
  throw new Error(
    `${key} holds ${JSON.stringify(found.slice(0, 40))}, not a Tickforge key layout version this build knows (${KEY_LAYOUT_VERSION}); is the prefix used by other data?`,
  );
}

/** Check the server, then claim the namespace for this layout (or find it already ours). */
export async function openNamespace(client: Redis | Cluster, keys: RedisKeys): Promise<void> {
  checkServerVersion(await client.info('server'));
  checkLayout(keys.layout, await client.set(keys.layout, String(KEY_LAYOUT_VERSION), 'NX', 'GET'));
}
