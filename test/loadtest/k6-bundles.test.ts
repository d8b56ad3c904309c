/**
 * The k6 scripts as k6 gets them: bundled by loadtest/build.ts, then run in a realm with only what
 * k6 offers (no Node built-ins, no TextEncoder/TextDecoder, no fetch) and emulated k6 modules. The
 * bundle's own protocol code decodes recorded server frames into the same mirror as the SDK, and the
 * scripts' request flows, socket handshake, frames and metrics are checked against the emulation.
 * k6 itself cannot be installed here; this is the "CI smoke run" of the load tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Scripts } from '../../loadtest/build.ts';
import { decodeMessage } from '../../shared/protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import type { JobFrame, NodeBehaviour, RealmJob, RealmResult } from './support/k6-realm.ts';
import type { K6Records } from './support/k6-runtime.ts';
import { runInK6Realm } from './support/realm-client.ts';
import { loadFixture, sdkReplay } from './support/sdk-replay.ts';

const outdir = mkdtempSync(join(tmpdir(), 'tickforge-k6-'));
const lobbyJs = join(outdir, 'lobby.js');
const gameplayJs = join(outdir, 'gameplay.js');
const fixture = loadFixture();
let metafile: Metafile;

beforeAll(async () => {
  metafile = await buildK6Scripts(outdir);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

async function one<K extends RealmJob['kind']>(job: RealmJob & { kind: K }) {
  const [result] = await runInK6Realm([job]);
  if (!result?.ok) throw new Error(`realm job failed: ${result ? result.error : 'no result'}`);
  return result as Extract<RealmResult, { ok: true }>;
}

async function iteration(env: Record<string, string>, frames: readonly JobFrame[], node: NodeBehaviour = {}) {
  const result = await one({ kind: 'iteration', bundle: gameplayJs, env, frames, node });
  return result as { records: K6Records; lobby: { method: string; path: string; body: unknown }[] };
}

const samples = (records: K6Records, metric: string) =>
  (records.metrics[metric]?.samples ?? []).map((s) => s.value);
const failedChecks = (records: K6Records) =>
  Object.entries(records.checks)
    .filter(([, tally]) => tally.fails > 0)
    .map(([name]) => name);

describe('k6 bundles', () => {
  it('import only k6 modules, and take msgpackr in its browser build', () => {
    const outputs = Object.entries(metafile.outputs);
    expect(outputs.map(([file]) => file.split('/').pop()).sort()).toEqual(['gameplay.js', 'lobby.js']);
    for (const [file, output] of outputs) {
      for (const entry of output.imports) {
        expect(entry.external, `${file} imports ${entry.path}`).toBe(true);
        expect(entry.path, file).toMatch(/^k6(\/[a-z0-9/-]+)?$/);
      }
      const text = readFileSync(join(outdir, file.split('/').pop()!), 'utf8');
      expect(text, `${file} calls require()`).not.toMatch(/\brequire\s*\(/);
      expect(text, `${file} names a node: module`).not.toMatch(/["']node:/);
    }
    // The `browser` export is index.js; Node's is node-index.js (msgpackr-extract, node:module).
    // (Paths are relative to the checkout, which may reach node_modules through a symlink.)
    const inputs = Object.keys(metafile.inputs).filter((path) => path.includes('msgpackr'));
    expect(
      inputs.some((path) => /(^|\/)node_modules\/msgpackr\/index\.js$/.test(path)),
      inputs.join(),
    ).toBe(true);
    expect(inputs.filter((path) => /node-index|node\.cjs|msgpackr-extract/.test(path))).toEqual([]);
  });

  it("run in a realm with k6 v2.2.0's globals and no Node or browser APIs", async () => {
    const [v22, older] = await runInK6Realm([{ kind: 'probe' }, { kind: 'probe', withoutTextCodecs: true }]);
    const globals = (v22 as { globals: Record<string, string> }).globals;
    expect(globals).toEqual({
      Buffer: 'undefined',
      require: 'undefined', // a global in k6 (init context only); the bundles never call it
      process: 'undefined',
      fetch: 'undefined',
      performance: 'undefined',
      TextEncoder: 'function', // globals since k6 v2.2.0 (grafana/k6#6182)
      TextDecoder: 'function',
      setTimeout: 'function', // k6 sets the timers on globalThis; k6/timers re-exports them
      setInterval: 'function',
      clearTimeout: 'function',
      clearInterval: 'function',
      console: 'object',
      __ENV: 'object',
      __VU: 'number',
      __ITER: 'number',
    });
    expect((older as { globals: Record<string, string> }).globals.TextDecoder).toBe('undefined');
  });

  it.each([
    ['with TextEncoder/TextDecoder (k6 v2.2.0)', false],
    ['without them (older k6)', true],
  ])(
    "decode recorded server frames into the SDK's mirror, and encode client frames byte for byte as the SDK, %s",
    async (_name, withoutTextCodecs) => {
      const bundle = (await one({
        kind: 'replay',
        bundle: gameplayJs,
        frames: fixture.frames,
        withoutTextCodecs,
      })) as {
        entities: unknown[];
        tick: number;
        ackSeq: number;
        kinds: string[];
        encoded: Record<string, string>;
      };
      const sdk = await sdkReplay(fixture.frames);
      // The recording covers every message kind a VU meets.
      expect(new Set(bundle.kinds)).toEqual(new Set(['welcome', 'state', 'pong', 'matchEnd']));
      expect(bundle.kinds.filter((k) => k === 'state')).toHaveLength(sdk.states);
      expect(bundle.entities).toEqual(sdk.entities);
      expect(bundle.entities.length).toBeGreaterThan(30);
      expect(bundle.tick).toBe(sdk.tick);
      expect(bundle.ackSeq).toBe(sdk.ackSeq);
      expect(bundle.encoded).toEqual(sdk.encoded);
      expect(sdk.binaryType).toBe('arraybuffer');
    },
  );

  it('stop at start-up on a bad setting, naming the variable', async () => {
    const results = await runInK6Realm([
      { kind: 'options', bundle: gameplayJs, env: { PROFILE: 'soaked' } },
      { kind: 'options', bundle: gameplayJs, env: { LOBBY_URL: 'localhost:2568' } },
      { kind: 'options', bundle: lobbyJs, env: { RATE: '-3' } },
      { kind: 'options', bundle: lobbyJs, env: { DURATION: '10 minutes' } },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual([
      'EnvError: PROFILE must be one of smoke, load, soak, spike; got "soaked"',
      'EnvError: LOBBY_URL must be a http or https URL; got "localhost:2568"',
      'EnvError: RATE must be a number >= 1; got "-3"',
      'EnvError: DURATION must be a duration like 30s, 5m or 1h30m; got "10 minutes"',
    ]);
  });
});

describe('k6 lobby script', () => {
  it('has a constant-arrival-rate and a ramping-arrival-rate profile, with thresholds that fail the run', async () => {
    const jobs: RealmJob[] = ['smoke', 'constant', 'ramp'].map((profile) => ({
      kind: 'options',
      bundle: lobbyJs,
      env: { PROFILE: profile, RATE: '40', PEAK_RATE: '200', DURATION: '5m' },
    }));
    const [smoke, constant, ramp] = (await runInK6Realm(jobs)).map(
      (r) =>
        (
          r as {
            options: { scenarios: { lobby: Record<string, unknown> }; thresholds: Record<string, unknown[]> };
          }
        ).options,
    );
    // Two players at once: their tickets match each other on a quiet deployment (arena needs 2).
    expect(smoke!.scenarios.lobby).toMatchObject({ executor: 'per-vu-iterations', vus: 2, iterations: 1 });
    expect(constant!.scenarios.lobby).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 40,
      timeUnit: '1s',
      duration: '5m',
    });
    expect(ramp!.scenarios.lobby).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 40 });
    expect((ramp!.scenarios.lobby.stages as { target: number }[]).map((s) => s.target)).toEqual([
      200, 200, 0,
    ]);
    const { thresholds } = constant!;
    expect(thresholds.http_req_failed).toEqual([
      { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '30s' },
    ]);
    expect(thresholds.http_req_duration).toEqual(['p(95)<250', 'p(99)<500']);
    expect(Object.keys(thresholds)).toEqual(
      expect.arrayContaining([
        'http_req_duration{endpoint:board_top}',
        'http_req_duration{endpoint:board_around}',
        'http_req_duration{endpoint:ticket_status}',
        'checks',
        'tickforge_match_wait',
        'tickforge_match_failed',
      ]),
    );
  });

  it('signs in, reads the board and the rooms, then queues and polls until matched', async () => {
    const result = (await one({ kind: 'iteration', bundle: lobbyJs, env: {}, frames: [] })) as {
      records: K6Records;
      lobby: { method: string; path: string; authorization?: string }[];
    };
    expect(result.lobby.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/auth/guest',
      'GET /v1/leaderboards/arena/top?limit=10',
      'GET /v1/leaderboards/arena/around/champion?limit=10',
      'GET /v1/rooms?mode=arena&limit=20',
      'POST /v1/matchmaking/tickets',
      'GET /v1/matchmaking/tickets/t2',
      'GET /v1/matchmaking/tickets/t2',
    ]);
    expect(result.lobby.slice(3).every((r) => r.authorization === 'Bearer token-p1')).toBe(true);
    const names = result.records.http.map((r) => (r.tags as { name: string }).name);
    expect(names).toContain('GET /v1/matchmaking/tickets/:ticketId');
    expect(names).toContain('GET /v1/leaderboards/:boardId/around/:playerId');
    expect(failedChecks(result.records)).toEqual([]);
    expect(samples(result.records, 'tickforge_match_failed')).toEqual([0]);
    expect(samples(result.records, 'tickforge_match_wait')).toEqual([1000]);
  });
});

describe('k6 gameplay script', () => {
  it('has smoke, load, soak and spike profiles with a threshold on every custom metric', async () => {
    const jobs: RealmJob[] = ['smoke', 'load', 'soak', 'spike'].map((profile) => ({
      kind: 'options',
      bundle: gameplayJs,
      env: { PROFILE: profile, PLAYERS: '100', SESSION_SECONDS: '45' },
    }));
    type GameplayOptions = {
      scenarios: {
        gameplay: {
          executor: string;
          stages?: { target: number; duration: string }[];
          gracefulStop?: string;
        };
      };
      thresholds: Record<string, unknown[]>;
    };
    const [smoke, load, soak, spike] = (await runInK6Realm(jobs)).map(
      (r) => (r as { options: GameplayOptions }).options,
    );
    expect(smoke!.scenarios.gameplay).toMatchObject({
      executor: 'per-vu-iterations',
      vus: 100,
      iterations: 1,
    });
    expect(load!.scenarios.gameplay.stages).toEqual([
      { target: 100, duration: '1m' },
      { target: 100, duration: '5m' },
      { target: 0, duration: '30s' },
    ]);
    expect(soak!.scenarios.gameplay.stages![1]).toEqual({ target: 100, duration: '2h' });
    // The wave: from the base to 16 times it within 10 s.
    const wave = spike!.scenarios.gameplay.stages!;
    expect(wave.map((s) => s.target)).toEqual([100, 100, 1600, 1600, 100, 100, 0]);
    expect(wave[2]!.duration).toBe('10s');
    expect(load!.scenarios.gameplay.gracefulStop).toBe('60s');
    for (const metric of [
      'tickforge_ticket_to_snapshot',
      'tickforge_states_per_second',
      'tickforge_bytes_per_second',
      'tickforge_input_ack',
      'tickforge_disconnects',
      'tickforge_connect_failures',
      'tickforge_protocol_errors',
      'tickforge_session_failed',
      'tickforge_match_failed',
    ]) {
      expect(Object.keys(spike!.thresholds), metric).toContain(metric);
    }
    expect(spike!.thresholds.tickforge_states_per_second).toEqual(['avg>=19', 'p(5)>=15']);
    expect(spike!.thresholds.tickforge_session_failed).toEqual([
      { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '1m' },
    ]);
  });

  it("takes every spike stage's duration from the environment", async () => {
    const [spike, load] = (
      await runInK6Realm(
        ['spike', 'load'].map((profile) => ({
          kind: 'options' as const,
          bundle: gameplayJs,
          env: {
            PROFILE: profile,
            PLAYERS: '10',
            SPIKE_PLAYERS: '50',
            BASE_RAMP: '5s',
            BASE_HOLD: '20s',
            RAMP: '3s',
            HOLD: '40s',
            WAVE_DOWN: '7s',
            RAMP_DOWN: '9s',
          },
        })),
      )
    ).map((r) => (r as { options: { scenarios: { gameplay: { stages: unknown[] } } } }).options);
    expect(spike!.scenarios.gameplay.stages).toEqual([
      { target: 10, duration: '5s' },
      { target: 10, duration: '20s' },
      { target: 50, duration: '3s' },
      { target: 50, duration: '40s' },
      { target: 10, duration: '7s' },
      { target: 10, duration: '20s' },
      { target: 0, duration: '9s' },
    ]);
    expect(load!.scenarios.gameplay.stages.at(-1)).toEqual({ target: 0, duration: '9s' });
    const [bad] = await runInK6Realm([
      { kind: 'options', bundle: gameplayJs, env: { PROFILE: 'spike', BASE_HOLD: 'a minute' } },
    ]);
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('BASE_HOLD must be a duration') });
  });

  it('gets a seat by matchmaking, plays with binary frames at the tick rate, leaves, and records the metrics', async () => {
    const { records, lobby } = await iteration({ SESSION_SECONDS: '1.5' }, fixture.frames);
    expect(lobby.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/auth/guest',
      'POST /v1/matchmaking/tickets',
      'GET /v1/matchmaking/tickets/t2',
      'GET /v1/matchmaking/tickets/t2',
    ]);
    expect(lobby[0]!.body).toEqual({ name: 'k6-1' });
    const [socket, ...others] = records.sockets;
    expect(others).toEqual([]);
    // The seat token is URL-encoded; the subprotocol goes in the handshake header (k6 documents
    // `protocols` as reserved, though it sends it; the header works either way); the `name` tag
    // keeps the token out of the metrics.
    expect(socket!.url).toBe('ws://game.test/ws?seat=seat%2Btoken%2Fwith%3Dchars');
    expect(socket!.protocols).toBeNull();
    expect(socket!.params).toEqual({
      headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL },
      tags: { name: 'game' },
    });
    expect(socket!.headers['Sec-Websocket-Protocol']).toBe(SUBPROTOCOL);
    expect(socket!.protocol).toBe(SUBPROTOCOL);
    expect(records.checks['game subprotocol negotiated']).toEqual({ passes: 1, fails: 0 });
    expect(socket!.binaryType).toBe('arraybuffer');
    expect(socket!.errors).toEqual([]);

    const sent = socket!.sent;
    expect(sent.every((frame) => frame.arrayBuffer)).toBe(true);
    const inputs = sent.filter((frame) => frame.message[0] === MessageType.INPUT);
    expect(inputs.map((frame) => frame.message[1])).toEqual(inputs.map((_, i) => i + 1));
    for (const frame of inputs) {
      const input = frame.message[2] as { dx: number; dy: number };
      expect(Object.keys(input)).toEqual(['dx', 'dy']);
      expect(Math.abs(input.dx)).toBeLessThanOrEqual(1);
    }
    // WELCOME says 20 ticks per second: one input every 50 ms until the session ends.
    const gaps = inputs.slice(1).map((frame, i) => frame.at - inputs[i]!.at);
    expect(new Set(gaps)).toEqual(new Set([50]));
    expect(inputs.length).toBeGreaterThanOrEqual(25);
    expect(sent.filter((frame) => frame.message[0] === MessageType.PING).length).toBeGreaterThanOrEqual(2);
    expect(sent.at(-1)!.message).toEqual([MessageType.LEAVE]);
    expect(socket!.closed).toMatchObject({ by: 'server', code: 1000 });

    expect(samples(records, 'tickforge_ticket_to_snapshot')).toHaveLength(1);
    // One sample for the one full second; the recording's frames are ~50 ms apart, with jitter.
    const [perSecond, ...more] = samples(records, 'tickforge_states_per_second');
    expect(more).toEqual([]);
    expect(perSecond).toBeGreaterThanOrEqual(18);
    expect(perSecond).toBeLessThanOrEqual(22);
    // The node acknowledges the inputs this VU sent (each state frame's ackSeq is the highest seq
    // received): every input sent before the last state frame is timed, within a tick or two.
    const acked = samples(records, 'tickforge_input_ack');
    expect(acked.length).toBeGreaterThanOrEqual(inputs.length - 2);
    expect(Math.max(...acked)).toBeLessThanOrEqual(100);
    expect(samples(records, 'tickforge_acked_inputs')).toEqual(acked.map(() => 1));
    expect(samples(records, 'tickforge_rtt')).toEqual([10, 10]);
    expect(samples(records, 'tickforge_pongs')).toEqual([1, 1]);
    expect(samples(records, 'tickforge_snapshots')).toEqual([1]);
    expect(samples(records, 'tickforge_session_failed')).toEqual([0]);
    expect(samples(records, 'tickforge_match_failed')).toEqual([0]);
    for (const metric of [
      'tickforge_disconnects',
      'tickforge_connect_failures',
      'tickforge_protocol_errors',
    ]) {
      expect(samples(records, metric), metric).toEqual([]);
    }
    expect(failedChecks(records)).toEqual([]);
  });

  it('stops sending inputs at MATCH_END and takes the server closing the socket as the end of the session', async () => {
    const { records } = await iteration({ SESSION_SECONDS: '60' }, fixture.frames);
    const socket = records.sockets[0]!;
    expect(socket.closed).toMatchObject({ by: 'server', code: 1000, reason: 'match over' });
    const matchEndAt = fixture.frames.find(
      (f) => Buffer.from(f.base64, 'base64')[1] === MessageType.MATCH_END,
    )!.at;
    const lastInput = socket.sent.filter((f) => f.message[0] === MessageType.INPUT).at(-1)!;
    expect(lastInput.at - socket.sent[0]!.at).toBeLessThanOrEqual(matchEndAt);
    expect(samples(records, 'tickforge_states_per_second').length).toBeGreaterThanOrEqual(1);
    expect(samples(records, 'tickforge_disconnects')).toEqual([]);
    expect(samples(records, 'tickforge_session_failed')).toEqual([0]);
  });

  it('counts a dropped connection as a disconnect and a failed session', async () => {
    const { records } = await iteration({ SESSION_SECONDS: '60' }, fixture.frames, { dropAtMs: 700 });
    expect(records.metrics.tickforge_disconnects!.samples).toEqual([{ value: 1, tags: { code: '1006' } }]);
    expect(samples(records, 'tickforge_session_failed')).toEqual([1]);
  });

  it('closes with CLIENT_CANNOT_APPLY on a frame it cannot decode', async () => {
    const [welcome, snapshot] = fixture.frames;
    const garbage = { at: snapshot!.at + 10, base64: Buffer.from([0xc1]).toString('base64') };
    const { records } = await iteration({ SESSION_SECONDS: '60' }, [welcome!, snapshot!, garbage]);
    expect(samples(records, 'tickforge_protocol_errors')).toEqual([1]);
    expect(records.sockets[0]!.closed).toMatchObject({ by: 'client', code: CloseCode.CLIENT_CANNOT_APPLY });
    expect(samples(records, 'tickforge_session_failed')).toEqual([1]);
  });

  it('takes a seat from the room list, or from the dev endpoint of a node without a lobby', async () => {
    const rooms = await iteration({ SEAT_SOURCE: 'rooms', SESSION_SECONDS: '1' }, fixture.frames);
    expect(rooms.lobby.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/auth/guest',
      'GET /v1/rooms?mode=arena&limit=20',
      'POST /v1/rooms',
    ]);
    expect(rooms.records.sockets).toHaveLength(1);
    const dev = await iteration(
      { SEAT_SOURCE: 'dev', GAME_URL: 'http://node.test:2567', SESSION_SECONDS: '1' },
      fixture.frames,
    );
    expect(dev.records.http.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST http://node.test:2567/dev/seats',
    ]);
    expect(dev.records.sockets[0]!.url).toBe('ws://game.test/ws?seat=seat%2Btoken%2Fwith%3Dchars');
    expect(samples(dev.records, 'tickforge_session_failed')).toEqual([0]);
  });
});

// The decoder the tests feed is the recording, not a live node: check it still reads as the
// current protocol (a stale fixture would make the comparison above vacuous).
describe('the recorded frames', () => {
  it('are current protocol messages of every kind the scripts handle', () => {
    const types = fixture.frames.map((f) => decodeMessage(Buffer.from(f.base64, 'base64'))[0]);
    expect(types[0]).toBe(MessageType.WELCOME);
    expect(new Set(types)).toEqual(
      new Set([
        MessageType.WELCOME,
        MessageType.SNAPSHOT,
        MessageType.ROOM_DELTA,
        MessageType.PONG,
        MessageType.MATCH_END,
      ]),
    );
    expect(fixture.subprotocol).toBe(SUBPROTOCOL);
  });
});
