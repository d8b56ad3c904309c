/**
 * The matchmaking micro-benchmark: how long the pure matcher takes to place a large queue
 * (DESIGN.md: "10,000 queued tickets matched in under 1 s"). It builds a queue that accumulated
 * over the last minute, then runs formMatches once a simulated second, as the matchmaking service
 * would, taking the placed tickets out after each pass, until everything that can ever match has
 * matched (windows at their widest, fill waits over, and a pass that forms nothing). Only the
 * formMatches calls are timed, after warm-up runs on other queues of the same shape.
 *
 *   node --experimental-strip-types bench/matchmaking.ts [--tickets 10000] [--players 16]
 *
 * Pin it to a core for steadier numbers: `taskset -c 0 node --experimental-strip-types ...`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../server/games/arena/rules.ts';
import { formMatches, type MatchRules, type QueuedTicket } from '../server/lobby/matchmaking/matcher.ts';

/** Who is queued: solos without ratings, rated solos, or rated solos with some parties of 2-4. */
export const SCENARIOS = ['solo-unrated', 'solo-rated', 'mixed'] as const;
export type MatchmakingScenario = (typeof SCENARIOS)[number];

export interface MatchmakingBenchOptions {
  readonly tickets?: number;
  readonly playersPerMatch?: number;
  /** Default 'mixed'. */
  readonly scenario?: MatchmakingScenario;
  readonly seed?: number;
}

export interface MatchmakingBenchResult {
  readonly tickets: number;
  readonly matches: number;
  /** Tickets placed in a match, over all passes. */
  readonly placed: number;
  /** formMatches time over all passes, in ms. */
  readonly ms: number;
  readonly passes: number;
  /** The first pass alone: the whole queue at once. */
  readonly firstPass: { readonly ms: number; readonly placed: number };
}

const QUEUED_OVER_MS = 60_000;
const PASS_INTERVAL_MS = 1000;
const MAX_PASSES = 1000;
/** Untimed runs first: a service's matcher runs every second, so it is measured JIT-warm. */
const WARMUP_RUNS = 3;

/** A mode like the arena's: half-full matches may start after 20 s, windows ±50 to ±300 over 25 s. */
function benchRules(playersPerMatch: number): MatchRules {
  return {
    minPlayers: Math.ceil(playersPerMatch / 2),
    maxPlayers: playersPerMatch,
    fillWaitMs: 20_000,
    skill: { initialWindow: 50, widenPerSecond: 10, maxWindow: 300 },
  };
}

/** The arena's seeded generator (mulberry32), so every run measures the same queue. */
const random = seededRandom;

/** Ratings ~ normal(1500, 300) (Box-Muller), party sizes by scenario, queued over the last minute. */
function buildQueue(
  count: number,
  scenario: MatchmakingScenario,
  seed: number,
  start: number,
): QueuedTicket[] {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const queue: QueuedTicket[] = [];
  for (let i = 0; i < count; i++) {
    let size = 1;
    if (scenario === 'mixed') {
      const roll = next();
      size = roll < 0.8 ? 1 : roll < 0.9 ? 2 : roll < 0.96 ? 3 : 4;
    }
    queue.push({
      id: `ticket-${i}`,
      size,
      rating: scenario === 'solo-unrated' ? undefined : Math.round(1500 + 300 * normal()),
      enqueuedAt: start - Math.floor(next() * QUEUED_OVER_MS),
    });
  }
  return queue;
}

function run(
  tickets: number,
  playersPerMatch: number,
  scenario: MatchmakingScenario,
  seed: number,
): MatchmakingBenchResult {
  const rules = benchRules(playersPerMatch);
  const start = 1_700_000_000_000;
  let queue = buildQueue(tickets, scenario, seed, start);
  const { initialWindow, widenPerSecond, maxWindow } = rules.skill;
  // From here on a pass sees the same windows and fill waits as the one before.
  const settled =
    start +
    Math.max(
      rules.fillWaitMs,
      widenPerSecond > 0 ? ((maxWindow - initialWindow) / widenPerSecond) * 1000 : 0,
    );

  let now = start;
  let ms = 0;
  let matches = 0;
  let placed = 0;
  let passes = 0;
  let firstPass = { ms: 0, placed: 0 };
  while (queue.length > 0 && passes < MAX_PASSES) {
    const began = performance.now();
    const formed = formMatches(queue, rules, now);
    const took = performance.now() - began;
    ms += took;
    passes++;
    const ids = new Set<string>();
    for (const match of formed) for (const id of match.ticketIds) ids.add(id);
    if (passes === 1) firstPass = { ms: took, placed: ids.size };
    matches += formed.length;
    placed += ids.size;
    if (formed.length === 0 && now >= settled) break;
    queue = queue.filter((ticket) => !ids.has(ticket.id));
    now += PASS_INTERVAL_MS;
  }
  return { tickets, matches, placed, ms, passes, firstPass };
}

/** Place a queue of `tickets` (default 10,000) in `playersPerMatch`-player matches (default 16). */
export async function benchMatchmaking(
  options: MatchmakingBenchOptions = {},
): Promise<MatchmakingBenchResult> {
  const tickets = options.tickets ?? 10_000;
  const playersPerMatch = options.playersPerMatch ?? 16;
  const scenario = options.scenario ?? 'mixed';
  const seed = options.seed ?? 1;
  for (let warmup = 1; warmup <= WARMUP_RUNS; warmup++)
    run(tickets, playersPerMatch, scenario, seed + warmup * 7919);
  return run(tickets, playersPerMatch, scenario, seed);
}

/** One line per scenario, for a terminal or a results file. */
export function describeMatchmakingResult(scenario: MatchmakingScenario, r: MatchmakingBenchResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const percent = ((100 * r.placed) / r.tickets).toFixed(1);
  return (
    `matchmaking ${scenario}: ${n(r.tickets)} tickets -> ${n(r.matches)} matches, ${n(r.placed)} placed ` +
    `(${percent}%) in ${r.passes} passes, ${r.ms.toFixed(1)} ms total; ` +
    `first pass ${r.firstPass.ms.toFixed(1)} ms placed ${n(r.firstPass.placed)}`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tickets: { type: 'string', default: '10000' }, players: { type: 'string', default: '16' } },
  });
  const tickets = Number(values.tickets);
  const playersPerMatch = Number(values.players);
  if (!Number.isInteger(tickets) || tickets <= 0) throw new Error(`--tickets must be a positive integer`);
  if (!Number.isInteger(playersPerMatch) || playersPerMatch <= 0)
    throw new Error(`--players must be a positive integer`);
  for (const scenario of SCENARIOS) {
    const result = await benchMatchmaking({ tickets, playersPerMatch, scenario });
    console.log(describeMatchmakingResult(scenario, result));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`bench/matchmaking: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
