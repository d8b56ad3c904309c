/**
 * The k6 scripts' thresholds under k6's own rules (support/k6-thresholds.ts): every profile passes
 * a healthy emulated run, fails a run that measured nothing, and fails a run that lacks any one kind
 * of traffic it is meant to prove. k6 scores a Trend without samples as 0 and skips a Rate without
 * samples, so a latency threshold alone passes on nothing; each one has a `count>0` companion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Scripts } from '../../loadtest/build.ts';
import { dataGuardOf } from '../../loadtest/k6/lib/thresholds.ts';
import type { NodeBehaviour, RealmJob, RealmResult } from './support/k6-realm.ts';
import type { K6Records, MetricRecord } from './support/k6-runtime.ts';
import { emptied, evaluateThresholds, parseThreshold, type ThresholdSpec } from './support/k6-thresholds.ts';
import { runInK6Realm } from './support/realm-client.ts';
import { loadFixture } from './support/sdk-replay.ts';

const outdir = mkdtempSync(join(tmpdir(), 'tickforge-k6-thresholds-'));
const lobbyJs = join(outdir, 'lobby.js');
const gameplayJs = join(outdir, 'gameplay.js');
const fixture = loadFixture();

beforeAll(() => buildK6Scripts(outdir));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Thresholds = Record<string, ThresholdSpec[]>;

/** Every profile's options, with the settings that change which thresholds exist. */
const LOBBY_VARIANTS = ['smoke', 'constant', 'ramp'].flatMap((PROFILE) =>
  ['1', '0'].map((MATCHMAKING) => ({ PROFILE, MATCHMAKING })),
);
const GAMEPLAY_VARIANTS = ['smoke', 'load', 'soak', 'spike'].flatMap((PROFILE) =>
  [
    { SEAT_SOURCE: 'matchmaking', PING_MS: '1000' },
    { SEAT_SOURCE: 'rooms', PING_MS: '0' },
  ].map((more) => ({ PROFILE, ...more })),
);

async function thresholdsOf(bundle: string, envs: Record<string, string>[]): Promise<Thresholds[]> {
  const results = await runInK6Realm(envs.map((env) => ({ kind: 'options', bundle, env })));
  return results.map(optionsOf);
}

async function run(job: RealmJob): Promise<K6Records> {
  const [result] = await runInK6Realm([job]);
  if (!result) throw new Error('no result');
  return recordsOf(result);
}

/** One gameplay iteration against the fake node replaying the recording. */
const gameplayJob = (env: Record<string, string>, node: NodeBehaviour = {}): RealmJob => ({
  kind: 'iteration',
  bundle: gameplayJs,
  env: { SESSION_SECONDS: '3', ...env },
  frames: fixture.frames,
  node,
});
const gameplayRun = (env: Record<string, string>, node: NodeBehaviour = {}) => run(gameplayJob(env, node));

function optionsOf(result: RealmResult): Thresholds {
  if (!result.ok) throw new Error(result.error);
  return (result as { options: { thresholds: Thresholds } }).options.thresholds;
}

function recordsOf(result: RealmResult): K6Records {
  if (!result.ok) throw new Error(result.error);
  return (result as { records: K6Records }).records;
}

/** Threshold keys whose every expression holds (or is skipped) on a run that measured nothing. */
function passingOnNothing(thresholds: Thresholds, metrics: Record<string, MetricRecord>): string[] {
  const { verdicts } = evaluateThresholds(thresholds, emptied(metrics));
  return Object.keys(thresholds).filter((key) =>
    verdicts.filter((v) => v.metric === key).every((v) => v.outcome !== 'fail'),
  );
}

/** A failure counter's thresholds: it is meant to stay at zero, so passing on nothing is right. */
const countsFailures = (metrics: Record<string, MetricRecord>, key: string, specs: ThresholdSpec[]) =>
  metrics[key]?.type === 'counter' &&
  specs.every((s) => /^count\s*(<=|==)\s*\d+$/.test(typeof s === 'string' ? s : s.threshold));

describe("k6's threshold rules, as the evaluator applies them", () => {
  const trend = (...values: number[]): MetricRecord => ({
    type: 'trend',
    isTime: true,
    samples: values.map((value) => ({ value, tags: {} })),
  });
  const counter = (...values: number[]): MetricRecord => ({
    type: 'counter',
    isTime: false,
    samples: values.map((value) => ({ value, tags: {} })),
  });
  const rate = (...values: number[]): MetricRecord => ({
    type: 'rate',
    isTime: false,
    samples: values.map((value) => ({ value, tags: {} })),
  });

  it('parse the documented syntax and refuse what k6 refuses', () => {
    expect(parseThreshold('p(99.9) < 200')).toEqual({
      method: 'p',
      percentile: 99.9,
      operator: '<',
      value: 200,
    });
    expect(parseThreshold('count>=0')).toEqual({ method: 'count', operator: '>=', value: 0 });
    expect(() => parseThreshold('p95<200')).toThrow('unknown method');
    expect(() => parseThreshold('avg ~ 3')).toThrow('malformed');
    expect(() => evaluateThresholds({ x: ['count>0'] }, { x: trend(1) })).toThrow(
      'unsupported aggregation method count on metric of type trend',
    );
    expect(() => evaluateThresholds({ nope: ['count>0'] }, {})).toThrow("invalid metric 'nope'");
  });

  it('score an empty Trend as 0, an empty Counter as 0, and skip an empty Rate', () => {
    const run = evaluateThresholds(
      { t: ['p(95)<150', 'avg>=19'], c: ['count>0'], r: ['rate<0.01'] },
      { t: trend(), c: counter(), r: rate() },
    );
    expect(run.verdicts.map((v) => `${v.metric} ${v.expression} ${v.outcome}`)).toEqual([
      't p(95)<150 pass',
      't avg>=19 fail',
      'c count>0 fail',
      'r rate<0.01 error',
    ]);
    expect(run.breached).toEqual(['c', 't']);
  });

  it('evaluate sub-metrics on the samples carrying their tags', () => {
    const metrics = {
      http_req_duration: {
        type: 'trend' as const,
        isTime: true,
        samples: [
          { value: 10, tags: { endpoint: 'a' } },
          { value: 900, tags: { endpoint: 'b' } },
        ],
      },
    };
    const run = evaluateThresholds(
      { 'http_req_duration{endpoint:a}': ['max<100'], 'http_req_duration{endpoint:b}': ['max<100'] },
      metrics,
    );
    expect(run.breached).toEqual(['http_req_duration{endpoint:b}']);
  });
});

describe('the k6 scripts thresholds', () => {
  let lobbyMetrics: Record<string, MetricRecord>;
  let gameplayMetrics: Record<string, MetricRecord>;
  let lobbyThresholds: Thresholds[];
  let gameplayThresholds: Thresholds[];

  beforeAll(async () => {
    const [lobby, gameplay] = await Promise.all([
      run({ kind: 'iteration', bundle: lobbyJs, env: {}, frames: [] }),
      gameplayRun({}),
    ]);
    lobbyMetrics = lobby.metrics;
    gameplayMetrics = gameplay.metrics;
    [lobbyThresholds, gameplayThresholds] = await Promise.all([
      thresholdsOf(lobbyJs, LOBBY_VARIANTS),
      thresholdsOf(gameplayJs, GAMEPLAY_VARIANTS),
    ]);
  }, 60_000);

  it('pass a healthy run in every profile', () => {
    for (const [i, thresholds] of lobbyThresholds.entries()) {
      const run = evaluateThresholds(thresholds, lobbyMetrics);
      expect(run.breached, JSON.stringify(LOBBY_VARIANTS[i])).toEqual([]);
    }
    for (const [i, thresholds] of gameplayThresholds.entries()) {
      const run = evaluateThresholds(thresholds, gameplayMetrics);
      expect(run.breached, JSON.stringify(GAMEPLAY_VARIANTS[i])).toEqual([]);
    }
  });

  it('fail a run that measured nothing, in every profile', () => {
    for (const thresholds of lobbyThresholds) {
      expect(evaluateThresholds(thresholds, emptied(lobbyMetrics)).passed).toBe(false);
    }
    for (const thresholds of gameplayThresholds) {
      expect(evaluateThresholds(thresholds, emptied(gameplayMetrics)).passed).toBe(false);
    }
  });

  it('pair every threshold that holds on nothing with a count>0 guard that fails on nothing', () => {
    const check = (thresholds: Thresholds, metrics: Record<string, MetricRecord>) => {
      const holding = passingOnNothing(thresholds, metrics);
      for (const key of holding) {
        if (countsFailures(metrics, key, thresholds[key]!)) continue;
        const guard = dataGuardOf(key);
        expect(guard, `${key} holds on nothing and has no data guard`).toBeDefined();
        expect(thresholds[guard!], `${key}'s guard ${guard}`).toEqual(['count>0']);
        expect(holding, `${guard} must fail on nothing`).not.toContain(guard);
      }
      // The failure counters are the only thresholds left without a guard.
      return holding.filter((key) => dataGuardOf(key) === undefined).sort();
    };
    for (const thresholds of lobbyThresholds) expect(check(thresholds, lobbyMetrics)).toEqual([]);
    for (const thresholds of gameplayThresholds) {
      expect(check(thresholds, gameplayMetrics)).toEqual([
        'tickforge_connect_failures',
        'tickforge_disconnects',
        'tickforge_protocol_errors',
      ]);
    }
  });

  it('fail a gameplay run whose inputs are never acknowledged, or whose pings are never answered', async () => {
    // One realm process for all five jobs: each process start costs seconds on a loaded machine.
    const results = await runInK6Realm([
      { kind: 'options', bundle: gameplayJs, env: { PROFILE: 'smoke' } },
      { kind: 'options', bundle: gameplayJs, env: { PROFILE: 'smoke', PING_MS: '0' } },
      gameplayJob({}, { acks: 'none' }),
      gameplayJob({}, { pongs: false }),
      gameplayJob({ PING_MS: '0' }, { pongs: false }),
    ]);
    const [smoke, noPings] = results.slice(0, 2).map(optionsOf);
    const [unacked, unanswered, unpinged] = results.slice(2).map(recordsOf);
    expect(unacked!.metrics.tickforge_input_ack!.samples).toEqual([]);
    expect(evaluateThresholds(smoke!, unacked!.metrics).breached).toEqual(['tickforge_acked_inputs']);

    expect(unanswered!.metrics.tickforge_rtt!.samples).toEqual([]);
    expect(evaluateThresholds(smoke!, unanswered!.metrics).breached).toEqual(['tickforge_pongs']);
    // Without pings there is no RTT to prove.
    expect(evaluateThresholds(noPings!, unpinged!.metrics).breached).toEqual([]);
  });

  it('fail a lobby run that never reached one of the endpoints it times', () => {
    const [constant] = lobbyThresholds;
    const withoutBoardTop = Object.fromEntries(
      Object.entries(lobbyMetrics).map(([name, m]) => [
        name,
        { ...m, samples: m.samples.filter((s) => s.tags.endpoint !== 'board_top') },
      ]),
    );
    expect(evaluateThresholds(constant!, withoutBoardTop).breached).toEqual([
      'http_reqs{endpoint:board_top}',
    ]);
  });
});
