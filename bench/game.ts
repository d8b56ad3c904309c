/**
 * `npm run bench:game`: the game node against the raw-uWS floor, in one run (DESIGN.md, "Figures
 * to beat"). For each client count it measures Tickforge on uWebSockets.js (and on ws with
 * --systems), and the floor publishing frames of the size Tickforge-uWS just measured, each server
 * pinned to core 0 and the load generator pinned to core 1: the lean generator (bench/lean-bots.ts,
 * raw frames, its players in C so that it keeps up at 3,000 clients; in Node with --generator
 * lean-node or when there is no C compiler) or the SDK bots (loadtest/bots.ts, which also check
 * state, with --generator sdk). Server CPU and RSS come from /proc over the generator's measurement
 * window (the generator's CPU includes its child processes); ticks from the server's own histogram. Writes a Markdown table, the raw JSON
 * and an SVG chart (bench/chart.ts) to bench/results/. Traffic stays on 127.0.0.1.
 *
 *   npm run bench:game -- [--clients 1024,2048,3000] [--duration 20] [--warmup 5] [--ramp 200]
 *                         [--systems uws,floor] [--generator lean|lean-node|sdk] [--cpu-prof 1024]
 *                         [--raw-bots] [--server-flags='--max-semi-space-size=8 --heap-growing-percent=50' (the default, as npm start)]
 *                         [--from bundle|source]
 *
 * Both servers run as `npm start` runs the node (`--from bundle`, the default): bundled to plain
 * JavaScript by server/bundle.ts into dist/bench/, so neither loads Node's TypeScript stripper;
 * `--from source` runs their .ts files (about 17 MiB more RSS each, the stripper's).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BotReport } from '../loadtest/bots/report.ts';
import { bundleServer } from '../server/bundle.ts';
import { uwsLoadError } from '../server/game/transport/load.ts';
import { renderChart } from './chart.ts';
import type { GameServerStats } from './game-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const PROFILES = join(ROOT, '.cache', 'bench-profiles');

const SYSTEMS = ['uws', 'ws', 'floor'] as const;
const GENERATORS = ['lean', 'lean-node', 'sdk'] as const;
type Generator = (typeof GENERATORS)[number];
type SystemName = (typeof SYSTEMS)[number];
const LABEL: Record<SystemName, string> = {
  uws: 'Tickforge on uWebSockets.js',
  ws: 'Tickforge on ws',
  floor: 'raw uWS.js floor',
};

/** Frame size for the floor when no Tickforge-uWS run at that client count measured one. */
const DEFAULT_FLOOR_FRAME_BYTES = 208;

// ---------------------------------------------------------------------------------------------
// Arguments

interface BenchArgs {
  readonly clients: readonly number[];
  readonly duration: number;
  readonly warmup: number;
  readonly ramp: number;
  readonly systems: readonly SystemName[];
  /** Profile Tickforge-uWS at this client count in an extra run (not in the table). */
  readonly cpuProf: number | undefined;
  /** Tickforge runs with --raw bots too (no SDK decoding, no input->ack): a lighter bot side. */
  readonly rawBots: boolean;
  /** Extra node flags for the Tickforge servers only (tuning experiments); the floor runs plain. */
  readonly serverFlags: readonly string[];
  /** The load generator: lean raw-frame clients (in C, or in Node), or the SDK bots. */
  readonly generator: Generator;
  /** The servers bundled to JavaScript as `npm start` runs them, or their .ts sources. */
  readonly from: 'bundle' | 'source';
}

function fail(message: string): never {
  console.error(`bench:game: ${message}`);
  process.exit(2);
}

const ARG_OPTIONS = {
  clients: { type: 'string', default: '1024,2048,3000' },
  duration: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '5' },
  ramp: { type: 'string', default: '200' },
  systems: { type: 'string', default: 'uws,floor' },
  generator: { type: 'string', default: 'lean' },
  'cpu-prof': { type: 'string' },
  'raw-bots': { type: 'boolean', default: false },
  // What npm start runs the node with (package.json); --server-flags= (empty) measures V8's defaults.
  'server-flags': { type: 'string', default: '--max-semi-space-size=8 --heap-growing-percent=50' },
  from: { type: 'string', default: 'bundle' },
} as const;

function readArgs(argv: readonly string[]): BenchArgs {
  let values: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    values = parseArgs({ args: [...argv], strict: true, options: ARG_OPTIONS }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const positive = (name: string, value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${value}"`);
    return n;
  };
  const clients = values.clients.split(',').map((c) => {
    const n = Number(c.trim());
    if (!Number.isInteger(n) || n <= 0)
      fail(`--clients must be a comma-separated list of positive integers, got "${values.clients}"`);
    return n;
  });
  const systems = values.systems.split(',').map((s) => s.trim());
  for (const s of systems)
    if (!(SYSTEMS as readonly string[]).includes(s))
      fail(`--systems takes ${SYSTEMS.join(', ')}, got "${s}"`);
  const generator = GENERATORS.find((g) => g === values.generator);
  if (generator === undefined) fail(`--generator takes ${GENERATORS.join(', ')}, got "${values.generator}"`);
  const from = values.from;
  if (from !== 'bundle' && from !== 'source') fail(`--from takes bundle or source, got "${from}"`);
  const cpuProf = values['cpu-prof'] === undefined ? undefined : positive('cpu-prof', values['cpu-prof']);
  return {
    clients,
    duration: positive('duration', values.duration),
    warmup:
      Number.isFinite(Number(values.warmup)) && Number(values.warmup) >= 0
        ? Number(values.warmup)
        : fail('--warmup must be >= 0'),
    ramp: positive('ramp', values.ramp),
    systems: SYSTEMS.filter((s) => systems.includes(s)),
    cpuProf,
    rawBots: values['raw-bots'],
    serverFlags: values['server-flags'].split(/\s+/).filter(Boolean),
    generator,
    from,
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and killed when the bench exits, however it exits.

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nbench:game: ${signal}, stopping children`);
    killChildren();
    process.exit(130);
  });
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
})();

/** `cmd args` pinned to `core` when taskset is available. */
function pinned(core: number, cmd: string, args: readonly string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, [...args]];
}

/**
 * Node for the servers: this one. uWebSockets.js loads in it natively or from a patched copy
 * (server/game/transport/uws-addon.ts); `uwsUnavailable` says why when neither works.
 */
async function serverNode(): Promise<{ path: string; uwsUnavailable: string | undefined }> {
  return { path: process.execPath, uwsUnavailable: await uwsLoadError() };
}

/** The two servers' scripts, relative to the project root. */
interface ServerScripts {
  readonly game: string;
  readonly floor: string;
}

/** The servers' scripts for `from`: their sources, or bundles built now as `npm start` builds the node. */
async function serverScripts(from: BenchArgs['from']): Promise<ServerScripts> {
  if (from === 'source') return { game: 'bench/game-server.ts', floor: 'bench/floor-server.ts' };
  const outdir = join(ROOT, 'dist', 'bench');
  await bundleServer(outdir, {
    'game-server': 'bench/game-server.ts',
    'floor-server': 'bench/floor-server.ts',
  });
  const dist = relative(ROOT, outdir);
  return { game: join(dist, 'game-server.js'), floor: join(dist, 'floor-server.js') };
}

/** A JSON-lines child: the first line it prints, and one answer per command written to stdin. */
class ServerProcess {
  readonly child: ChildProcess;
  readonly #lines: Interface;
  readonly #waiting: ((line: Record<string, unknown>) => void)[] = [];
  #stderr = '';

  constructor(cmd: string, args: readonly string[]) {
    this.child = track(spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.#lines = createInterface({ input: this.child.stdout! });
    this.#lines.on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      this.#waiting.shift()?.(parsed);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
  }

  /** The next JSON line (the ready line, or the answer to `command`). */
  next(command?: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not answer ${command ?? 'ready'}: ${this.#stderr}`)),
        timeoutMs,
      );
      const onExit = (code: number | null) => reject(new Error(`server exited (${code}): ${this.#stderr}`));
      this.child.once('exit', onExit);
      this.#waiting.push((line) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(line);
      });
      if (command) this.child.stdin!.write(`${command}\n`);
    });
  }

  async quit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process in ms; with `reaped`, also its children's that it has waited for. */
function cpuMs(pid: number, reaped = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15,
  // cutime 16, cstime 17.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const ticks = fields[11]! + fields[12]! + (reaped ? fields[13]! + fields[14]! : 0);
  return (ticks * 1000) / CLK_TCK;
}

/** A process and everything it started that is still there, at any depth. */
function withDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

/**
 * CPU ms of a process tree: the lean generator runs its players in a child (bench/lean/generator.c).
 * A child that exits between two readings moves from its own times to its parent's reaped-children
 * times (a zombie still shows its own), so the difference of two readings stays whole.
 */
function treeCpuMs(pid: number): number {
  let total = 0;
  for (const p of withDescendants(pid)) {
    try {
      total += cpuMs(p, true);
    } catch {
      // reaped between the listing and the read: its time is in its parent's, if read after
    }
  }
  return total;
}

/** VmRSS of a process in MiB. */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Per-CPU jiffies from /proc/stat: [total, steal] for cpu0, cpu1, ... */
function cpuTimes(): [number, number][] {
  const times: [number, number][] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+) (.*)$/.exec(line);
    if (!match) continue;
    const fields = match[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    times[Number(match[1])] = [fields.slice(0, 8).reduce((a, b) => a + b, 0), fields[7] ?? 0];
  }
  return times;
}

/** Steal time per CPU between two cpuTimes() readings, in percent: the hypervisor ran someone else. */
function stealPercent(from: [number, number][], to: [number, number][]): number[] {
  return to.map(([total, steal], i) => {
    const [total0, steal0] = from[i] ?? [0, 0];
    return total > total0 ? (100 * (steal - steal0)) / (total - total0) : 0;
  });
}

// ---------------------------------------------------------------------------------------------
// One measurement

interface RunResult {
  readonly system: SystemName;
  readonly clients: number;
  /** Floor only: the published frame size. */
  readonly frameBytes: number | undefined;
  readonly serverCpuMs: number;
  readonly serverCpuMsPerClientSecond: number;
  readonly serverRssMiB: number;
  readonly server: GameServerStats;
  readonly botsCpuPercent: number;
  /** Hypervisor steal per CPU over the window (this VM's noise). */
  readonly stealPercent: number[];
  readonly bots: BotReport;
  readonly profile: string | undefined;
}

async function measure(
  system: SystemName,
  clients: number,
  args: BenchArgs,
  options: { node: string; scripts: ServerScripts; frameBytes?: number; profile?: string },
): Promise<RunResult> {
  const script = system === 'floor' ? options.scripts.floor : options.scripts.game;
  const serverArgs =
    system === 'floor'
      ? [script, '--frame-bytes', String(Math.round(options.frameBytes ?? DEFAULT_FLOOR_FRAME_BYTES))]
      : [
          ...args.serverFlags,
          script,
          '--transport',
          system,
          ...(options.profile ? ['--cpu-prof', options.profile] : []),
        ];
  const server = new ServerProcess(...pinned(0, options.node, serverArgs));
  try {
    const ready = await server.next();
    const port = Number(ready.port);
    const serverPid = server.child.pid!;

    const common = [
      ...['--url', `http://127.0.0.1:${port}`, '--clients', String(clients), '--room-size', '16'],
      ...['--duration', String(args.duration), '--warmup', String(args.warmup), '--ramp', String(args.ramp)],
      ...['--input-rate', '20', '--run-id', `${system}${clients}`, '--json'],
    ];
    const botArgs =
      args.generator !== 'sdk'
        ? [
            'bench/lean-bots.ts',
            ...common,
            ...(args.generator === 'lean-node' ? ['--engine', 'node'] : []),
            ...(system === 'floor' ? ['--floor'] : []),
          ]
        : ['loadtest/bots.ts', ...common, ...(system === 'floor' || args.rawBots ? ['--raw'] : [])];
    const [cmd, cmdArgs] = pinned(1, process.execPath, botArgs);
    const bots = track(spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let botsStderr = '';
    bots.stderr!.on('data', (chunk: Buffer) => {
      botsStderr = (botsStderr + chunk.toString()).slice(-4000);
    });
    const botsPid = bots.pid!;
    const budgetMs = (clients / args.ramp + args.warmup + args.duration + 90) * 1000;
    const killTimer = setTimeout(() => bots.kill('SIGKILL'), budgetMs);

    let window: { serverCpu: number; botsCpu: number; at: number; cpus: [number, number][] } | undefined;
    let serverSide: Omit<RunResult, 'bots' | 'serverCpuMsPerClientSecond'> | undefined;
    let report: BotReport | undefined;
    const pendingServer: Promise<unknown>[] = [];
    for await (const line of createInterface({ input: bots.stdout! })) {
      const event = JSON.parse(line) as { type: string; phase?: string } & Record<string, unknown>;
      if (event.type === 'phase' && event.phase === 'measure-start') {
        window = {
          serverCpu: cpuMs(serverPid),
          botsCpu: treeCpuMs(botsPid),
          at: performance.now(),
          cpus: cpuTimes(),
        };
        pendingServer.push(server.next('reset'));
      } else if (event.type === 'phase' && event.phase === 'measure-end' && window) {
        const serverCpu = cpuMs(serverPid) - window.serverCpu;
        const botsCpu = treeCpuMs(botsPid) - window.botsCpu;
        const seconds = (performance.now() - window.at) / 1000;
        const rss = rssMiB(serverPid);
        const steal = stealPercent(window.cpus, cpuTimes());
        await Promise.all(pendingServer);
        const stats = (await server.next('stats', 60_000)) as unknown as GameServerStats;
        serverSide = {
          system,
          clients,
          frameBytes:
            system === 'floor' ? Math.round(options.frameBytes ?? DEFAULT_FLOOR_FRAME_BYTES) : undefined,
          serverCpuMs: serverCpu,
          serverRssMiB: rss,
          server: stats,
          botsCpuPercent: botsCpu / seconds / 10,
          stealPercent: steal,
          profile: options.profile,
        };
      } else if (event.type === 'report') {
        report = event as unknown as BotReport;
      }
    }
    const code = await new Promise<number | null>((resolve) =>
      bots.exitCode !== null ? resolve(bots.exitCode) : bots.once('exit', resolve),
    );
    clearTimeout(killTimer);
    if (!serverSide || !report) throw new Error(`bots exited (${code}) without a report: ${botsStderr}`);
    return {
      ...serverSide,
      serverCpuMsPerClientSecond:
        report.clientSeconds > 0 ? serverSide.serverCpuMs / report.clientSeconds : Number.NaN,
      bots: report,
    };
  } finally {
    await server.quit();
  }
}

// ---------------------------------------------------------------------------------------------
// CPU profile: top self time

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

/** The `top` functions by self time in a .cpuprofile, as Markdown rows. */
function topSelfTime(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  // timeDeltas[i + 1] is the time spent in the node sampled at i.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url
      ? `${url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url}:${lineNumber + 1}:${columnNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'}\t${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  let total = 0;
  let idle = 0;
  for (const [key, us] of self) {
    total += us;
    if (key.startsWith('(idle)')) idle += us;
  }
  const busy = total - idle;
  const rows = [...self]
    .filter(([key]) => !key.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us], i) => {
      const [name, where] = key.split('\t');
      return `| ${i + 1} | \`${name}\` | ${where ? `\`${where}\`` : ''} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)}% |`;
    });
  return [
    `Window: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / total).toFixed(0)}% busy (not idle).`,
    '',
    '| # | function | file:line:col | self ms | % of busy |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Report

const f = (n: number | null | undefined, digits: number) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function row(r: RunResult): string {
  const b = r.bots;
  const ticks = `${f(r.server.tickP50Ms, 2)} / ${f(r.server.tickP99Ms, 2)} / ${f(r.server.tickMaxMs, 1)}`;
  const ack = b.options.raw ? '-' : `${f(b.ackP50Ms, 1)} / ${f(b.ackP99Ms, 1)}`;
  return [
    r.system === 'floor'
      ? `${LABEL.floor} (${r.frameBytes}-byte frame)`
      : `${LABEL[r.system]}${b.options.raw ? ' (raw bots)' : ''}`,
    r.clients,
    `${b.connectedPeak}/${b.requested}`,
    f(r.serverCpuMsPerClientSecond, 3),
    f(b.bytesPerClientSecond, 0),
    f(b.statesPerClientSecond, 2),
    f(b.inputsPerClientSecond, 1),
    f(b.meanMessageBytes, 1),
    ticks,
    `${r.server.overruns} / ${r.server.slipped} / ${r.server.skippedSends ?? '-'}`,
    f(r.server.loopDelayP99Ms, 1),
    `${f(r.serverRssMiB, 0)} (${f(r.server.memory?.heapUsed, 0)} / ${f(r.server.memory?.heapTotal, 0)})`,
    ack,
    `${f(r.botsCpuPercent, 0)}% / ${f(b.botLoopDelayP99Ms, 1)}`,
    r.stealPercent.map((p) => f(p, 1)).join(' / '),
    Object.keys(b.disconnects).length || Object.keys(b.errors).length
      ? `${JSON.stringify(b.disconnects)} ${Object.keys(b.errors).length} kinds`
      : 'none',
  ].join(' | ');
}

/** One row of the targets table (DESIGN.md): Tickforge against the floor measured in the same run. */
function targets(results: readonly RunResult[], clients: number): string {
  const at = (s: SystemName) => results.find((r) => r.system === s && r.clients === clients);
  const floor = at('floor');
  const uws = at('uws');
  const ratio = (r: RunResult | undefined, pick: (r: RunResult) => number, limit: number) => {
    if (!r || !floor) return '-';
    const x = pick(r) / pick(floor);
    return `${f(x, 2)}x ${x <= limit ? 'met' : 'missed'}`;
  };
  const check = (value: number | undefined, ok: (v: number) => boolean, digits: number) =>
    value === undefined ? '-' : `${f(value, digits)} ${ok(value) ? 'met' : 'missed'}`;
  const cpu = (r: RunResult) => r.serverCpuMsPerClientSecond;
  const rss = (r: RunResult) => r.serverRssMiB;
  const ackGap =
    uws?.bots.ackP99Ms != null && floor?.bots.ackP99Ms != null
      ? uws.bots.ackP99Ms - floor.bots.ackP99Ms
      : undefined;
  return `| ${[
    clients,
    ratio(uws, cpu, 1.25),
    ratio(uws, rss, 1.3),
    check(uws?.bots.statesPerClientSecond, (v) => v >= 19.9, 2),
    check(ackGap, (v) => v <= 10, 1),
    check(uws?.bots.bytesPerClientSecond, (v) => v <= 2900, 0),
    check(uws?.server.tickP99Ms, (v) => v < 5, 2),
    check(uws?.server.slipped, (v) => v === 0, 0),
    check(uws?.botsCpuPercent, (v) => v < 85, 0),
  ].join(' | ')} |`;
}

/** Where the node's memory is, from process.memoryUsage() and V8's heap spaces (MiB). */
function memoryRow(r: RunResult): string {
  const m = r.server.memory ?? {};
  const spaces = r.server.heapSpaces ?? {};
  return `| ${[
    LABEL[r.system],
    r.clients,
    f(r.serverRssMiB, 0),
    f(m.heapTotal, 1),
    f(m.heapUsed, 1),
    f(spaces.new_space, 1),
    f(spaces.old_space, 1),
    f((spaces.code_space ?? 0) + (spaces.code_large_object_space ?? 0), 1),
    f(m.external, 1),
    f(m.arrayBuffers, 1),
    f(r.serverRssMiB - (m.heapTotal ?? 0) - (m.external ?? 0), 0),
  ].join(' | ')} |`;
}

/** What generated the load, with where the lean generator's players actually ran. */
function generatorNote(args: BenchArgs, results: readonly RunResult[]): string {
  if (args.generator === 'sdk')
    return 'the SDK bots (loadtest/bots.ts: full decoding and mirrors; the floor gets raw bots without acks)';
  // The C players fall back to Node when there is no C compiler: say what ran, not what was asked.
  const engines = new Set(results.map((r) => (r.bots.options as { engine?: string }).engine ?? 'node'));
  const where = [...engines]
    .map((e) =>
      e === 'c' ? 'in C (bench/lean/generator.c, one epoll loop)' : 'in Node (bench/lean/raw-client.ts)',
    )
    .join(' and ');
  return (
    `bench/lean-bots.ts, its players ${where} (raw frames over TCP; reads every frame and each state header ` +
    'for its tick and ack, decodes no bodies; against the floor, which sends no acks, input->ack is input -> ' +
    'next message); its CPU includes its child processes'
  );
}

function markdown(
  results: readonly RunResult[],
  args: BenchArgs,
  facts: Record<string, string>,
  profile: string | undefined,
  failures: readonly string[],
): string {
  const lines = [
    `# Game node benchmark, ${facts.date}`,
    '',
    ...Object.entries(facts).map(([k, v]) => `- ${k}: ${v}`),
    `- workload: 16-player arena rooms (32 orbs), 20 Hz ticks, every bot sending an input at 20 Hz and moving ~7/8 of the time; ` +
      `ramp ${args.ramp}/s, warmup ${args.warmup} s, measured ${args.duration} s`,
    '',
    '| system | clients | connected | server CPU ms per client-second | bytes per client-second | states per client-second | inputs per client-second | mean frame B | tick p50 / p99 / max ms | overruns / slipped ticks / skipped sends | server loop lag p99 ms | RSS MiB (heap used / total) | input->ack p50 / p99 ms | bots CPU / loop lag p99 ms | steal % cpu0 / cpu1 | disconnects, errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${row(r)} |`),
    '',
    'Targets (DESIGN.md), ratios against the floor measured in the same run:',
    '',
    '| clients | CPU uWS/floor (<= 1.25x) | RSS uWS/floor (<= 1.3x) | uWS states per client-second (20) | uWS input->ack p99 minus the floor p99, ms (<= 10) | uWS bytes per client-second (<= 2,900) | uWS tick p99 ms (< 5) | uWS slipped ticks (0) | generator CPU % (< 85, so it is not the limit) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...args.clients.map((c) => targets(results, c)),
    '',
    'Where the memory is (MiB; new space is the two semi-spaces; "other" is RSS minus V8 heap and external: ' +
      'native code and data of Node, uWS.js and the modules, thread stacks, malloc):',
    '',
    '| system | clients | RSS | heap committed | heap used | new space | old space | code | external | array buffers | other |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.filter((r) => r.system !== 'floor').map(memoryRow),
    '',
    "Notes: server CPU is utime+stime from /proc over the generator's measurement window divided by connected " +
      `client-seconds; bytes are WebSocket payload bytes received per client. Generator: ${generatorNote(args, results)}. Tickforge tick durations are per ` +
      "room tick; the floor's are one publish loop over all rooms. Loop lag is event-loop delay beyond the 10 ms " +
      "sampling period. Bots CPU is the bot process's share of its own core; near 100%, inputs below 20 per " +
      'client-second, or a large loop lag mean the bots, not the server, limited the run (and inflate input->ack). ' +
      'Steal is hypervisor steal time per CPU over the window: this VM stalls for tens to hundreds of ms now ' +
      'and then, which shows in tick max, loop lag and input->ack but not in CPU time.',
  ];
  const floorMissed = results
    .filter((r) => r.system === 'floor' && r.bots.statesPerClientSecond < 19)
    .map((r) => r.clients.toLocaleString('en-US'));
  if (floorMissed.length)
    lines.splice(
      lines.indexOf('') + 1,
      0,
      `**The floor itself missed its tick rate at ${floorMissed.join(', ')} clients: either the machine was busy ` +
        '(other load, steal) or one core cannot carry that many clients even without a framework. At those counts ' +
        "the figures measure the machine's limit, not the node's overhead; if the floor missed at every count, " +
        're-run in a quiet window.**',
      '',
    );
  if (failures.length)
    lines.push('', 'Failed measurements:', '', ...failures.map((failure) => `- ${failure}`));
  if (profile) lines.push('', profile);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const server = await serverNode();
  const scripts = await serverScripts(args.from);
  let systems = args.systems;
  if (server.uwsUnavailable !== undefined) {
    console.error(`bench:game: ${server.uwsUnavailable}; measuring ws only`);
    systems = systems.filter((s) => s === 'ws');
  }
  const serverVersion = execFileSync(server.path, ['--version']).toString().trim();
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const date = new Date().toISOString().slice(0, 10);
  const facts: Record<string, string> = {
    date,
    machine: `${cpus().length} vCPU (nproc), ${cpuModel}, ${Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) / 1024 / 1024)} GiB`,
    'server node': `${serverVersion} (${relative(ROOT, server.path)})${args.serverFlags.length ? `, Tickforge flags: ${args.serverFlags.join(' ')}` : ''}`,
    'bots node': `${process.version} (${relative(ROOT, process.execPath) || process.execPath})`,
    'servers run from':
      args.from === 'bundle' ? `JavaScript bundles (${scripts.game}, ${scripts.floor})` : 'their .ts sources',
    pinning: hasTaskset ? 'server taskset -c 0, bots taskset -c 1' : 'none (taskset missing or one CPU)',
  };
  const estimate = args.clients.reduce(
    (s, c) => s + systems.length * (c / args.ramp + args.warmup + args.duration + 4),
    0,
  );
  console.error(
    `bench:game: ${args.clients.join(', ')} clients x ${systems.join(', ')}, about ${Math.ceil(estimate / 60)} min`,
  );

  const results: RunResult[] = [];
  const failures: string[] = [];
  for (const clients of args.clients) {
    let frameBytes: number | undefined;
    for (const system of systems) {
      const started = performance.now();
      console.error(`bench:game: ${LABEL[system]}, ${clients} clients ...`);
      let result: RunResult;
      try {
        result = await measure(system, clients, args, {
          node: server.path,
          scripts,
          ...(system === 'floor' ? { frameBytes: frameBytes ?? DEFAULT_FLOOR_FRAME_BYTES } : {}),
        });
      } catch (error) {
        // One failed measurement (a saturated server refusing joins) must not lose the others.
        const message = error instanceof Error ? error.message : String(error);
        failures.push(
          `${LABEL[system]}, ${clients} clients: ${message.split('\n').slice(0, 6).join(' ').slice(0, 400)}`,
        );
        console.error(`  failed: ${message}`);
        continue;
      }
      if (system === 'uws' || (system === 'ws' && frameBytes === undefined))
        frameBytes = result.bots.meanMessageBytes;
      results.push(result);
      console.error(`  ${row(result)}  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }

  let profile: string | undefined;
  if (args.cpuProf !== undefined && systems.includes('uws')) {
    // Profiles are large and machine-specific: kept out of the repository, in the git-ignored cache.
    await mkdir(PROFILES, { recursive: true });
    const file = join(PROFILES, `game-uws-${args.cpuProf}-${date}.cpuprofile`);
    console.error(
      `bench:game: profiling ${LABEL.uws} at ${args.cpuProf} clients (extra run, not in the table) ...`,
    );
    const run = await measure('uws', args.cpuProf, args, { node: server.path, scripts, profile: file });
    profile = [
      `## CPU profile: ${LABEL.uws}, ${args.cpuProf} clients, measurement window only`,
      '',
      `\`${relative(ROOT, file)}\` (open in Chrome DevTools > Performance). Profiled run: ` +
        `${f(run.serverCpuMsPerClientSecond, 3)} ms CPU per client-second (with profiler overhead).`,
      '',
      topSelfTime(file, 10),
    ].join('\n');
  }

  const text = markdown(results, args, facts, profile, failures);
  await mkdir(RESULTS, { recursive: true });
  // The default run is game-<date>; other runs say what differs, so they never overwrite it.
  const variant = [
    args.systems.join(',') === ARG_OPTIONS.systems.default ? '' : args.systems.join('-'),
    args.generator === ARG_OPTIONS.generator.default ? '' : args.generator,
    args.clients.join(',') === ARG_OPTIONS.clients.default ? '' : args.clients.join('-'),
    args.rawBots ? 'raw-bots' : '',
    args.serverFlags.join(' ') === ARG_OPTIONS['server-flags'].default ? '' : 'flags',
  ].filter(Boolean);
  const base = join(RESULTS, ['game', date, ...variant].join('-'));
  await writeFile(`${base}.md`, text);
  await writeFile(`${base}.json`, `${JSON.stringify({ facts, args, results, failures }, null, 2)}\n`);
  const chart = renderChart(results, `${date}, ${facts.machine}, generator ${args.generator}`);
  await writeFile(`${base}.svg`, chart);
  // The default run's chart is the one BENCHMARKS.md shows.
  if (variant.length === 0) await writeFile(join(RESULTS, 'game.svg'), chart);
  console.log(text);
  console.error(`bench:game: wrote ${relative(ROOT, base)}.md, .json and .svg`);
  if (failures.length) throw new Error(`${failures.length} measurement(s) failed (listed in the results)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:game: failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
