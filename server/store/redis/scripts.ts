/**
 * The store's Lua scripts, loaded once and called by name. Each atomic multi-key operation is one
 * file in scripts/ named `<name>-<numberOfKeys>.lua` (`n`: the caller passes a varying count);
 * `--@include <fragment>` lines pull in scripts/includes/<fragment>.lua. The first line is the
 * `#!lua` shebang, which makes Redis 7 refuse, on a cluster, any key outside the script's one slot;
 * `flags=no-writes` marks a reader. ioredis sends a script's source once per connection and EVALSHA
 * after that, and sends the source again if the server lost it (SCRIPT FLUSH, a restart).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** Every script, by file name without `.lua`. */
export const SCRIPT_NAMES = [
  'pin-sorts-n',
  'submit-n',
  'rank-2',
  'page-2',
  'around-2',
  'remove-record-2',
  'reset-period-2',
  'rename-player-1',
  'heartbeat-4',
  'live-nodes-4',
  'create-room-4',
  'find-room-4',
  'list-public-4',
  'reserve-seats-4',
  'create-ticket-7',
  'get-ticket-7',
  'searching-7',
  'finish-tickets-8',
  'lease-queue-1',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** A script ready for `defineCommand`. */
export interface LuaScript {
  readonly name: ScriptName;
  /** The ioredis command it is defined as (prefixed so it cannot shadow a Redis command). */
  readonly command: string;
  readonly lua: string;
  /** Undefined when the caller passes the count (`-n` scripts). */
  readonly numberOfKeys: number | undefined;
  readonly readOnly: boolean;
}

const DIRECTORY = new URL('./scripts/', import.meta.url);
const INCLUDE = /^--@include ([a-z-]+)\s*$/;

/** The script's source with its includes expanded (each fragment once), shebang first. */
export function loadScript(name: ScriptName): LuaScript {
  const [shebang = '', ...body] = readFileSync(new URL(`${name}.lua`, DIRECTORY), 'utf8').split('\n');
  if (!shebang.startsWith('#!lua')) throw new Error(`scripts/${name}.lua must start with a #!lua shebang`);
  const count = name.slice(name.lastIndexOf('-') + 1);
  return {
    name,
    command: `tickforge:${name}`.replace(/[^a-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()),
    lua: [shebang, ...expand(body, new Set())].join('\n'),
    numberOfKeys: count === 'n' ? undefined : Number(count),
    readOnly: /\bflags=.*\bno-writes\b/.test(shebang),
  };
}

function expand(lines: readonly string[], included: Set<string>): string[] {
  return lines.flatMap((line) => {
    const fragment = INCLUDE.exec(line)?.[1];
    if (fragment === undefined) return [line];
    if (included.has(fragment)) return [];
    included.add(fragment);
    const source = readFileSync(new URL(`includes/${fragment}.lua`, DIRECTORY), 'utf8');
    return expand(source.split('\n'), included);
  });
}

type Invoke = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts defined on one client. */
export class RedisScripts {
  readonly #client: Redis | Cluster;
  readonly #scripts = new Map<ScriptName, LuaScript>();

  constructor(client: Redis | Cluster) {
    this.#client = client;
    for (const name of SCRIPT_NAMES) {
      const script = loadScript(name);
      this.#scripts.set(name, script);
      const { lua, numberOfKeys, readOnly } = script;
      client.defineCommand(
        script.command,
        numberOfKeys === undefined ? { lua, readOnly } : { lua, numberOfKeys, readOnly },
      );
    }
  }

  /** Run a script atomically; its reply as ioredis decodes it (strings, numbers, arrays, null). */
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const script = this.#scripts.get(name)!;
    const invoke = (this.#client as unknown as Record<string, Invoke>)[script.command]!;
    if (script.numberOfKeys === undefined) return invoke.call(this.#client, keys.length, ...keys, ...args);
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    return invoke.call(this.#client, ...keys, ...args);
  }
}
