/**
 * What the interleaved A/B harnesses (`bench/lobby-ab.ts`, `bench/ticket-ab.ts`) share: parsing
 * `--server name=checkout:mode[:ENV=value,...]`, starting a bench server (bench/lobby-server.ts of
 * that checkout, pinned to core 0), the medians table, and stopping the servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import type { LobbyBenchServerInfo } from './lobby-server.ts';

/** One `--server`: a checkout, floor or lobby, and the environment its process gets. */
export interface ServerSpec {
  readonly name: string;
  readonly root: string;
  readonly mode: 'floor' | 'lobby';
  readonly env: Record<string, string>;
}

/** `name=checkout:mode[:ENV=value,...]`; a value may itself hold `=` or `:`. */
export function parseServerSpec(text: string): ServerSpec {
  const at = text.indexOf('=');
  const name = text.slice(0, at);
  const [root, mode, ...envParts] = text.slice(at + 1).split(':');
  if (at < 1 || !root || (mode !== 'floor' && mode !== 'lobby')) throw new Error(`bad --server ${text}`);
  const env = Object.fromEntries(
    envParts
      .join(':')
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const eq = kv.indexOf('=');
        return [kv.slice(0, eq), kv.slice(eq + 1)] as [string, string];
      }),
  );
  return { name, root: resolvePath(root), mode, env };
}

/** A started bench server and what it printed about itself. */
export interface StartedServer {
  readonly child: ChildProcess;
  readonly info: LobbyBenchServerInfo;
}

/**
 * Start `spec`'s bench/lobby-server.ts with `serverArgs`, pinned to core 0, on this Node with the
 * flags in its BENCH_NODE_FLAGS; resolves with its JSON line (lines before it, such as V8 traces,
 * are skipped).
 */
export async function startServer(spec: ServerSpec, serverArgs: readonly string[]): Promise<StartedServer> {
  const flags = (spec.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--no-warnings',
      ...flags,
      'bench/lobby-server.ts',
      spec.mode,
      ...serverArgs,
    ],
    { cwd: spec.root, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...spec.env } },
  );
  const lines = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    const first = (l: string) => {
      if (!l.startsWith('{"url"')) return;
      lines.off('line', first);
      resolve(l);
    };
    lines.on('line', first);
    child.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as LobbyBenchServerInfo };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** One server's figures over the rounds. */
export interface ServerRounds {
  readonly name: string;
  readonly cpu: readonly number[];
  readonly rps: readonly number[];
  readonly p99: readonly number[];
}

/** A started server and the figures its rounds collect. */
export interface RunningServer extends StartedServer {
  readonly spec: ServerSpec;
  readonly name: string;
  readonly cpu: number[];
  readonly rps: number[];
  readonly p99: number[];
}

/** The Markdown table of medians, each also as a ratio to the first server's. */
export function abTable(servers: readonly ServerRounds[]): string[] {
  const [first] = servers;
  const rows = servers.map((s) => {
    const cpu = median(s.cpu);
    const rps = median(s.rps);
    return `| ${s.name} | ${cpu.toFixed(1)} | ${Math.min(...s.cpu).toFixed(0)}-${Math.max(...s.cpu).toFixed(0)} | ${Math.round(rps)} | ${median(s.p99)} | ${(cpu / median(first?.cpu ?? [])).toFixed(2)}x | ${(rps / median(first?.rps ?? [])).toFixed(2)}x |`;
  });
  return [
    '| server | CPU us/req (median) | min-max | req/s (median) | p99 ms (median) | CPU vs first | req/s vs first |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

/** End every server (their stdin closing is their signal to stop) and wait for them to exit. */
export async function stopServers(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.stdin?.end();
        }),
    ),
  );
}
