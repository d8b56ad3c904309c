/**
 * The store's Lua scripts, loaded once and called by name. Each atomic multi-key operation is one
 * file in scripts/ named `<name>-<numberOfKeys>.lua` (`n`: the caller passes a varying count);
 * `--@include <fragment>` lines pull in scripts/includes/<fragment>.lua. The first line is the
 * `#!lua` shebang, which makes Redis 7 refuse, on a cluster, any key outside the script's one slot;
 * `flags=no-writes` marks a reader. ioredis sends a script's source once per connection and EVALSHA
 * after that, and sends the source again if the server lost it (SCRIPT FLUSH, a restart).
 *
 * The scripts a matchmaking pass calls once per match (a room, its seats, its claim) have a batch
 * twin (`<name>-batch-<keys>.lua`, includes/batch.lua): calls of such a script made together (in
 * the same turn of the event loop, as the matches a pass starts side by side) go to Redis as one
 * batch script, each call still run on its own, one after the other, with its own reply. A pass
 * then costs Redis a few scripts per group of matches instead of a few per match.
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
  'create-room-batch-4',
  'find-room-4',
  'list-public-4',
  'reserve-seats-4',
  'reserve-seats-batch-4',
  'create-ticket-7',
  'get-ticket-7',
  'searching-7',
  'finish-tickets-8',
  'finish-tickets-batch-8',
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
  // Stryker disable next-line StringLiteral: equivalent, an empty file fails the shebang check either way
  const [shebang = '', ...body] = readFileSync(new URL(`${name}.lua`, DIRECTORY), 'utf8').split('\n');
  // Stryker disable next-line ConditionalExpression,StringLiteral: a guard for a new script file; every file has it (scripts.test.ts)
  if (!shebang.startsWith('#!lua')) throw new Error(`scripts/${name}.lua must start with a #!lua shebang`);
  const count = name.slice(name.lastIndexOf('-') + 1);
  return {
    name,
    // Stryker disable next-line Regex: equivalent, script names have single dashes
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
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a guard, no script includes a fragment twice yet
    if (included.has(fragment)) return [];
    // Stryker disable next-line CallExpression: the same guard
    included.add(fragment);
    const source = readFileSync(new URL(`includes/${fragment}.lua`, DIRECTORY), 'utf8');
    return expand(source.split('\n'), included);
  });
}

type Invoke = (...args: (string | number)[]) => Promise<unknown>;

/** Scripts whose calls made together go as one batch, and their batch twins. */
const BATCHED: Partial<Record<ScriptName, ScriptName>> = {
  'create-room-4': 'create-room-batch-4',
  'reserve-seats-4': 'reserve-seats-batch-4',
  'finish-tickets-8': 'finish-tickets-batch-8',
};

/** Calls in one batch script at most, so that no single script holds Redis up for long. */
export const MAX_BATCH = 64;

/** A call waiting for its batch. */
interface Pending {
  readonly args: readonly (string | number)[];
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The scripts defined on one client. */
export class RedisScripts {
  readonly #client: Redis | Cluster;
  readonly #scripts = new Map<ScriptName, LuaScript>();
  /** Calls of batched scripts made in this turn, by script and keys. */
  readonly #pending = new Map<string, { name: ScriptName; keys: readonly string[]; calls: Pending[] }>();

  constructor(client: Redis | Cluster) {
    this.#client = client;
    for (const name of SCRIPT_NAMES) {
      const script = loadScript(name);
      this.#scripts.set(name, script);
      const { lua, numberOfKeys, readOnly } = script;
      client.defineCommand(
        script.command,
        // Stryker disable next-line ConditionalExpression: equivalent, `numberOfKeys: undefined` is the same as none
        numberOfKeys === undefined ? { lua, readOnly } : { lua, numberOfKeys, readOnly },
      );
    }
  }

  /**
   * Run a script atomically; its reply as ioredis decodes it (strings, numbers, arrays, null). A
   * script with a batch twin waits for the end of the current turn and goes with the others made in it.
   */
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (BATCHED[name] === undefined) return this.#invoke(name, keys, args);
    const group = `${name}\u0000${keys.join('\u0000')}`;
    return new Promise((resolve, reject) => {
      let pending = this.#pending.get(group);
      if (!pending) {
        pending = { name, keys, calls: [] };
        this.#pending.set(group, pending);
        process.nextTick(() => {
          this.#pending.delete(group);
          this.#flush(pending!.name, pending!.keys, pending!.calls);
        });
      }
      pending.calls.push({ args, resolve, reject });
    });
  }

  /** Send the calls made together: alone as themselves, else in batches of MAX_BATCH. */
  #flush(name: ScriptName, keys: readonly string[], calls: readonly Pending[]): void {
    // Stryker disable next-line ConditionalExpression,BlockStatement: cost only, a batch of one answers as the call alone
    if (calls.length === 1) {
      const [call] = calls as [Pending];
      this.#invoke(name, keys, call.args).then(call.resolve, call.reject);
      return;
    }
    for (let from = 0; from < calls.length; from += MAX_BATCH) {
      const batch = calls.slice(from, from + MAX_BATCH);
      // Stryker disable next-line StringLiteral: equivalent, every batched script takes arguments
      const args = [batch[0]!.args[0] ?? '', ...batch.flatMap((call) => [call.args.length, ...call.args])];
      this.#invoke(BATCHED[name]!, keys, args).then(
        (replies) => {
          for (const [i, call] of batch.entries()) {
            const reply = (replies as unknown[])[i];
            if (reply instanceof Error) call.reject(reply);
            else call.resolve(reply);
          }
        },
        (error: unknown) => {
          for (const call of batch) call.reject(error);
        },
      );
    }
  }

  #invoke(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const script = this.#scripts.get(name)!;
    const invoke = (this.#client as unknown as Record<string, Invoke>)[script.command]!;
    if (script.numberOfKeys === undefined) return invoke.call(this.#client, keys.length, ...keys, ...args);
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    return invoke.call(this.#client, ...keys, ...args);
  }
}
