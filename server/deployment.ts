/**
 * How this process takes part in a deployment: its role (`all`, `lobby` or `game`), the store it
 * opens, and where a game node finds the lobby. Processes that share a store must share their
 * secrets too (a seat minted by one lobby is checked by every node; a token minted by lobby A is
 * read by lobby B), so such a process refuses to start while a secret would be generated locally.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, type EnvReader } from './env-reader.ts';

/** `all`: lobby + one game node in one process (`npm start`); `lobby` or `game`: one of many processes. */
export const ROLES = ['all', 'lobby', 'game'] as const;
export type Role = (typeof ROLES)[number];

/** `embedded`: memory + node:sqlite in the data dir (one process only); `redis`: shared by many. */
export const STORE_KINDS = ['embedded', 'redis'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** The store a process opens. */
export type StoreSetting =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'redis';
      /** `redis://[user:password@]host:port[/db]` or `rediss://`. */
      readonly url: string;
      /** Namespace of every key, so several deployments can share one Redis. */
      readonly prefix: string;
    };

/** The process's part in the deployment. */
export interface DeploymentConfig {
  readonly role: Role;
  readonly store: StoreSetting;
  /** How often a game node heartbeats the room directory (ms); it drops out after three missed beats. */
  readonly heartbeatMs: number;
  /** Where a game node sends match reports: one or more lobby base URLs, tried in turn on failure. */
  readonly lobbyUrls: readonly string[];
}

/** The secrets processes of one deployment must agree on, by variable, and the roles that use each. */
export const SHARED_SECRETS: readonly { readonly variable: string; readonly roles: readonly Role[] }[] = [
  { variable: 'TICKFORGE_SEAT_SECRET', roles: ['all', 'lobby', 'game'] },
  { variable: 'TICKFORGE_ACCESS_SECRET', roles: ['all', 'lobby'] },
  { variable: 'TICKFORGE_SERVER_KEY', roles: ['all', 'lobby', 'game'] },
  { variable: 'TICKFORGE_ADMIN_KEY', roles: ['all', 'lobby'] },
];

const URL_PATTERN = /^https?:\/\/[^\s,]+$/;

/** Read the deployment settings; a multi-process setup missing a shared secret is refused here. */
export function loadDeploymentConfig(read: EnvReader): DeploymentConfig {
  const role = read.oneOf('TICKFORGE_ROLE', ROLES, 'all');
  const kind = read.oneOf('TICKFORGE_STORE', STORE_KINDS, role === 'all' ? 'embedded' : 'redis');
  if (role !== 'all' && kind === 'embedded') {
    throw new ConfigError(
      `TICKFORGE_ROLE=${role} needs TICKFORGE_STORE=redis: an embedded store is private to one process`,
    );
  }
  const url = read.string('TICKFORGE_REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new ConfigError(`TICKFORGE_REDIS_URL must be a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
  }
  const prefix = read.string('TICKFORGE_REDIS_PREFIX', 'tickforge');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(prefix)) {
    throw new ConfigError(
      `TICKFORGE_REDIS_PREFIX must be 1-64 of A-Z a-z 0-9 _ . : - (no braces), got "${prefix}"`,
    );
  }
  const lobbyUrls = read.list('TICKFORGE_LOBBY_URL', []);
  for (const lobbyUrl of lobbyUrls) {
    if (!URL_PATTERN.test(lobbyUrl)) {
      throw new ConfigError(
        `TICKFORGE_LOBBY_URL must be an http:// or https:// URL (or several, separated by commas), got "${lobbyUrl}"`,
      );
    }
  }
  if (role === 'game' && lobbyUrls.length === 0) {
    throw new ConfigError(
      'TICKFORGE_ROLE=game needs TICKFORGE_LOBBY_URL: where match reports go (a load balancer, or lobby URLs separated by commas)',
    );
  }
  const shared = role !== 'all' || kind === 'redis';
  if (shared) {
    const missing = SHARED_SECRETS.filter((s) => s.roles.includes(role) && !read.has(s.variable));
    if (missing.length > 0) {
      const names = missing.map((s) => s.variable).join(', ');
      const why =
        role === 'all'
          ? 'TICKFORGE_STORE=redis shares the store with other processes'
          : `TICKFORGE_ROLE=${role} runs beside other processes`;
      throw new ConfigError(
        `${names} must be set (the same value, at least 32 characters, in every process): ${why}, and a secret generated here would be known to this process alone (e.g. openssl rand -hex 32)`,
      );
    }
  }
  return {
    role,
    store: kind === 'embedded' ? { kind } : { kind, url, prefix },
    heartbeatMs: read.int('TICKFORGE_HEARTBEAT_MS', 1000, 50, 60_000),
    lobbyUrls,
  };
}

/**
 * The node id when none is configured: `node-1` for the one node of an embedded `npm start`; a node
 * that shares its store with others gets one of its own (host name and a random suffix), so two
 * never collide in the registry.
 */
export function defaultNodeId(deployment: Pick<DeploymentConfig, 'store'>): string {
  return deployment.store.kind === 'embedded' ? 'node-1' : `${hostname()}-${randomBytes(3).toString('hex')}`;
}

/** A URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
