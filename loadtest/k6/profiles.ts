/**
 * Load shapes and pass/fail thresholds of the two k6 scripts, chosen with `PROFILE` and sized with
 * environment variables (loadtest/README.md lists them). A missed threshold makes `k6 run` exit
 * non-zero; the ones marked abortOnFail stop the run early, since a lobby that fails every request
 * teaches nothing more by being hammered for another hour.
 *
 * The latency figures are for a deployment reached over a network; tighten them to your own SLOs.
 */
import type { Options, Scenario, Threshold } from 'k6/options';
import { envDuration, envNumber } from './lib/env.ts';
import { needingData } from './lib/thresholds.ts';

/** Trend columns in the end-of-test summary (k6 shows p(90) and p(95) only by default). */
const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

// ---------------------------------------------------------------------------------------------
// Lobby

/**
 * `smoke`: one visit by each of `PLAYERS` (2) players at once, so their tickets match each other on a
 * quiet deployment; `constant`: a fixed arrival rate; `ramp`: arrivals ramping to a peak.
 */
export const LOBBY_PROFILES = ['smoke', 'constant', 'ramp'] as const;
export type LobbyProfile = (typeof LOBBY_PROFILES)[number];

/** The lobby script's load, from the environment. */
export interface LobbyLoad {
  readonly profile: LobbyProfile;
  /** Iterations (one player's lobby visit) started per second: constant, and the ramp's start. */
  readonly rate: number;
  /** The ramp's top rate. */
  readonly peakRate: number;
  /** Smoke: players visiting at once (at least the mode's minimum, so their tickets match). */
  readonly players: number;
  /** How long the constant rate, or the ramp's plateau, lasts. */
  readonly duration: string;
  /** How long the ramp takes to reach the peak. */
  readonly rampDuration: string;
  /** How long the ramp takes back down to 0. */
  readonly rampDown: string;
  /** VUs allocated up front, and the most k6 may add when iterations run long (matchmaking waits). */
  readonly vus: number;
  readonly maxVus: number;
  /** Whether iterations queue for a match (their thresholds apply only then). */
  readonly matchmaking: boolean;
}

/** Read the lobby load from `__ENV`. */
export function lobbyLoadFromEnv(profile: LobbyProfile, matchmaking: boolean): LobbyLoad {
  const rate = envNumber('RATE', 20, { min: 1 });
  const vus = envNumber('VUS', 50, { min: 1, integer: true });
  return {
    profile,
    rate,
    peakRate: envNumber('PEAK_RATE', rate * 5, { min: 1 }),
    players: envNumber('PLAYERS', 2, { min: 1, integer: true }),
    duration: envDuration('DURATION', '2m'),
    rampDuration: envDuration('RAMP', '2m'),
    rampDown: envDuration('RAMP_DOWN', '30s'),
    vus,
    maxVus: envNumber('MAX_VUS', Math.max(vus, 500), { min: vus, integer: true }),
    matchmaking,
  };
}

function lobbyScenario(load: LobbyLoad): Scenario {
  switch (load.profile) {
    case 'smoke':
      // One visit per VU, all VUs starting together: their tickets are in the queue at the same
      // time, so they fill a match by themselves (arena needs 2) when nobody else is playing.
      return { executor: 'per-vu-iterations', vus: load.players, iterations: 1, maxDuration: '2m' };
    case 'constant':
      return {
        executor: 'constant-arrival-rate',
        rate: load.rate,
        timeUnit: '1s',
        duration: load.duration,
        preAllocatedVUs: load.vus,
        maxVUs: load.maxVus,
      };
    case 'ramp':
      return {
        executor: 'ramping-arrival-rate',
        startRate: load.rate,
        timeUnit: '1s',
        preAllocatedVUs: load.vus,
        maxVUs: load.maxVus,
        stages: [
          { target: load.peakRate, duration: load.rampDuration },
          { target: load.peakRate, duration: load.duration },
          { target: 0, duration: load.rampDown },
        ],
      };
  }
}

/** k6 options of the lobby script. */
export function lobbyOptions(load: LobbyLoad): Options {
  const thresholds: Record<string, Threshold[]> = {};
  // More than 1% failed requests: stop after 30 s rather than run the whole profile.
  needingData(thresholds, 'http_req_failed', [
    { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '30s' },
  ]);
  needingData(thresholds, 'http_req_duration', ['p(95)<250', 'p(99)<500']);
  needingData(thresholds, 'http_req_duration{endpoint:auth_guest}', ['p(95)<150', 'p(99)<300']);
  needingData(thresholds, 'http_req_duration{endpoint:board_top}', ['p(95)<50', 'p(99)<100']);
  needingData(thresholds, 'http_req_duration{endpoint:board_around}', ['p(95)<75', 'p(99)<150']);
  needingData(thresholds, 'http_req_duration{endpoint:rooms_list}', ['p(95)<100', 'p(99)<200']);
  needingData(thresholds, 'checks', ['rate>0.99']);
  if (load.matchmaking) {
    needingData(thresholds, 'http_req_duration{endpoint:ticket_create}', ['p(95)<150', 'p(99)<300']);
    needingData(thresholds, 'http_req_duration{endpoint:ticket_status}', ['p(95)<100', 'p(99)<200']);
    needingData(thresholds, 'tickforge_match_wait', ['p(95)<15000']);
    needingData(thresholds, 'tickforge_match_failed', ['rate<0.05']);
  }
  return {
    scenarios: { lobby: lobbyScenario(load) },
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
  };
}

// ---------------------------------------------------------------------------------------------
// Gameplay

/**
 * `smoke`: a couple of players for one short session; `load`: ramp to PLAYERS and hold; `soak`: a
 * moderate crowd for hours (leaks, slow drift); `spike`: a sudden join wave on top of a base.
 * Every stage's duration comes from the environment (loadtest/README.md).
 */
export const GAMEPLAY_PROFILES = ['smoke', 'load', 'soak', 'spike'] as const;
export type GameplayProfile = (typeof GAMEPLAY_PROFILES)[number];

/** The gameplay script's load, from the environment. */
export interface GameplayLoad {
  readonly profile: GameplayProfile;
  /** Concurrent players: smoke's and load's count, soak's crowd, spike's base. */
  readonly players: number;
  /** Spike only: players at the top of the wave. */
  readonly spikePlayers: number;
  /** How long reaching `players` takes (spike: how fast the wave arrives). */
  readonly ramp: string;
  /** How long the plateau (spike: the top of the wave) lasts. */
  readonly hold: string;
  /** Spike: how long the base takes to join, and how long it plays before and after the wave. */
  readonly baseRamp: string;
  readonly baseHold: string;
  /** Spike: how fast the wave leaves again. */
  readonly waveDown: string;
  /** How long the last players take to leave (ramping profiles). */
  readonly rampDown: string;
  /** How long one session lasts before the player leaves and queues again. */
  readonly sessionSeconds: number;
  /** Ping interval for RTT, ms; 0: no pings (and no RTT thresholds). */
  readonly pingMs: number;
  /** State messages per second the rooms send (arena: 20); thresholds derive from it. */
  readonly tickRate: number;
  /** Average payload bytes per client-second allowed (DESIGN.md's target for arena: 2,900). */
  readonly maxBytesPerSecond: number;
  /** Disconnects tolerated over the run. */
  readonly maxDisconnects: number;
  /** p95 of seat request -> first snapshot allowed, ms (matchmaking waits count). */
  readonly snapshotP95Ms: number;
  readonly matchmaking: boolean;
}

const GAMEPLAY_DEFAULTS: Record<
  GameplayProfile,
  { players: number; ramp: string; hold: string; sessionSeconds: number }
> = {
  smoke: { players: 2, ramp: '0s', hold: '0s', sessionSeconds: 10 },
  load: { players: 64, ramp: '1m', hold: '5m', sessionSeconds: 60 },
  soak: { players: 256, ramp: '5m', hold: '2h', sessionSeconds: 300 },
  spike: { players: 32, ramp: '10s', hold: '2m', sessionSeconds: 120 },
};

/** Read the gameplay load from `__ENV`. */
export function gameplayLoadFromEnv(profile: GameplayProfile, matchmaking: boolean): GameplayLoad {
  const defaults = GAMEPLAY_DEFAULTS[profile];
  const players = envNumber('PLAYERS', defaults.players, { min: 1, integer: true });
  return {
    profile,
    players,
    spikePlayers: envNumber('SPIKE_PLAYERS', players * 16, { min: players, integer: true }),
    ramp: envDuration('RAMP', defaults.ramp),
    hold: envDuration('HOLD', defaults.hold),
    baseRamp: envDuration('BASE_RAMP', '30s'),
    baseHold: envDuration('BASE_HOLD', '1m'),
    waveDown: envDuration('WAVE_DOWN', '10s'),
    rampDown: envDuration('RAMP_DOWN', '30s'),
    sessionSeconds: envNumber('SESSION_SECONDS', defaults.sessionSeconds, { min: 1 }),
    pingMs: envNumber('PING_MS', 1000),
    tickRate: envNumber('TICK_RATE', 20, { min: 1 }),
    maxBytesPerSecond: envNumber('MAX_BYTES_PER_SECOND', 2900, { min: 1 }),
    maxDisconnects: envNumber('MAX_DISCONNECTS', 0, { integer: true }),
    snapshotP95Ms: envNumber('SNAPSHOT_P95_MS', matchmaking ? 15000 : 3000, { min: 1 }),
    matchmaking,
  };
}

function gameplayScenario(load: GameplayLoad): Scenario {
  // A session in progress when the VUs ramp down or the run ends gets time to finish and leave, so
  // the end of the test is not counted as disconnects.
  const grace = `${Math.ceil(load.sessionSeconds) + 15}s`;
  const { players } = load;
  switch (load.profile) {
    case 'smoke':
      return {
        executor: 'per-vu-iterations',
        vus: players,
        iterations: 1,
        maxDuration: `${Math.ceil(load.sessionSeconds) + 90}s`,
      };
    case 'load':
    case 'soak':
      return {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { target: players, duration: load.ramp },
          { target: players, duration: load.hold },
          { target: 0, duration: load.rampDown },
        ],
        gracefulRampDown: grace,
        gracefulStop: grace,
      };
    case 'spike':
      return {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { target: players, duration: load.baseRamp },
          { target: players, duration: load.baseHold },
          // The wave: SPIKE_PLAYERS join within RAMP (10 s by default).
          { target: load.spikePlayers, duration: load.ramp },
          { target: load.spikePlayers, duration: load.hold },
          { target: players, duration: load.waveDown },
          { target: players, duration: load.baseHold },
          { target: 0, duration: load.rampDown },
        ],
        gracefulRampDown: grace,
        gracefulStop: grace,
      };
  }
}

/** k6 options of the gameplay script. */
export function gameplayOptions(load: GameplayLoad): Options {
  const { tickRate } = load;
  const thresholds: Record<string, Threshold[]> = {
    // Failures, counted: none of these is expected (they pass on zero, which is the point).
    tickforge_disconnects: [`count<=${load.maxDisconnects}`],
    tickforge_connect_failures: ['count<=0'],
    tickforge_protocol_errors: ['count==0'],
  };
  // Sessions that got no seat, no snapshot, were dropped or could not decode: stop the run early.
  needingData(thresholds, 'tickforge_session_failed', [
    { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '1m' },
  ]);
  needingData(thresholds, 'tickforge_ticket_to_snapshot', [`p(95)<${load.snapshotP95Ms}`]);
  // Per client-second: the rooms' full rate on average, and no client starved most seconds.
  needingData(thresholds, 'tickforge_states_per_second', [
    `avg>=${0.95 * tickRate}`,
    `p(5)>=${0.75 * tickRate}`,
  ]);
  needingData(thresholds, 'tickforge_bytes_per_second', [`avg<${load.maxBytesPerSecond}`]);
  needingData(thresholds, 'tickforge_input_ack', ['p(95)<150', 'p(99)<300']);
  if (load.pingMs > 0) needingData(thresholds, 'tickforge_rtt', ['p(95)<100', 'p(99)<200']);
  needingData(thresholds, 'ws_connecting', ['p(95)<1000']);
  // Lobby requests (or dev seats) and their checks.
  needingData(thresholds, 'http_req_failed', ['rate<0.01']);
  needingData(thresholds, 'checks', ['rate>0.99']);
  if (load.matchmaking) needingData(thresholds, 'tickforge_match_failed', ['rate<0.01']);
  return {
    scenarios: { gameplay: gameplayScenario(load) },
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
  };
}
