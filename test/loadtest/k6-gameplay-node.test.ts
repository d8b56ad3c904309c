/**
 * The built k6 gameplay script against a real Tickforge (lobby, matchmaking and a game node on
 * ports 0): its smoke scenario runs as k6 runs it (every VU in its own thread, blocking HTTP, the
 * wall clock), and its WebSockets are real ones to the node (test/loadtest/support/
 * k6-socket-bridge.ts). The recorded frames the other k6 tests replay cannot notice a protocol
 * change; this run can: the node must pick the protocol the script offers, and the script must
 * decode every frame the node sends and see its inputs acknowledged through the ack tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Scripts } from '../../loadtest/build.ts';
import { MessageType, SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';
import type { K6Records, MetricRecord } from './support/k6-runtime.ts';
import { evaluateThresholds, type ThresholdSpec } from './support/k6-thresholds.ts';
import { runInK6Realm } from './support/realm-client.ts';

const outdir = mkdtempSync(join(tmpdir(), 'tickforge-k6-gameplay-'));
const gameplayJs = join(outdir, 'gameplay.js');
let tickforge: TestTickforge | undefined;

beforeAll(async () => {
  [tickforge] = await Promise.all([startTestTickforge(), buildK6Scripts(outdir)]);
}, 30_000);
afterAll(async () => {
  await tickforge?.close();
  rmSync(outdir, { recursive: true, force: true });
});

/** All VUs' samples together, as k6's end-of-test summary sees them. */
function merged(vus: readonly K6Records[]): Record<string, MetricRecord> {
  const out: Record<string, MetricRecord> = {};
  for (const vu of vus) {
    for (const [name, metric] of Object.entries(vu.metrics)) {
      out[name] = { ...metric, samples: [...(out[name]?.samples ?? []), ...metric.samples] };
    }
  }
  return out;
}

const count = (records: K6Records, metric: string) => records.metrics[metric]?.samples.length ?? 0;

describe('k6 gameplay script against a real game node', () => {
  it('is matched, negotiates the current protocol, plays, gets its inputs acknowledged, and passes its thresholds', async () => {
    const env = {
      LOBBY_URL: tickforge!.lobbyUrl,
      PROFILE: 'smoke',
      SESSION_SECONDS: '1.5',
      PING_MS: '250',
      POLL_MS: '50',
      MATCH_TIMEOUT_S: '20',
    };
    const [options, run] = await runInK6Realm([
      { kind: 'options', bundle: gameplayJs, env },
      { kind: 'scenario', bundle: gameplayJs, env },
    ]);
    if (!options?.ok || !run?.ok) throw new Error(JSON.stringify([options, run]));
    const { vus } = run as { vus: readonly K6Records[] };
    expect(vus).toHaveLength(2);
    for (const vu of vus) {
      const [socket, ...more] = vu.sockets;
      expect(more).toEqual([]);
      expect(socket!.errors).toEqual([]);
      expect(socket!.offered).toEqual([SUBPROTOCOL]);
      expect(socket!.protocol).toBe(SUBPROTOCOL);
      // A full snapshot first, then the room's v2 frames with their ack tables.
      const states = socket!.received.filter((t) => t !== MessageType.PONG && t !== MessageType.WELCOME);
      expect(socket!.received[0]).toBe(MessageType.WELCOME);
      expect(states[0]).toBe(MessageType.SNAPSHOT);
      expect(states).toContain(MessageType.ROOM_DELTA);
      const inputs = socket!.sent.filter(
        (f) => Array.isArray(f.message) && f.message[0] === MessageType.INPUT,
      );
      expect(inputs.length).toBeGreaterThan(5);
      expect(count(vu, 'tickforge_acked_inputs')).toBeGreaterThan(0);
      expect(count(vu, 'tickforge_pongs')).toBeGreaterThan(0);
      expect(vu.metrics.tickforge_session_failed!.samples.map((s) => s.value)).toEqual([0]);
      expect(count(vu, 'tickforge_protocol_errors')).toBe(0);
      expect(count(vu, 'tickforge_disconnects')).toBe(0);
      expect(Object.entries(vu.checks).filter(([, t]) => t.fails > 0)).toEqual([]);
    }
    // Every threshold but the latency and rate SLOs (Trends: those measure this shared machine)
    // passes, the data guards included: the traffic they prove really happened.
    const { thresholds } = (options as { options: { thresholds: Record<string, ThresholdSpec[]> } }).options;
    const metrics = merged(vus);
    const beyondTrends = Object.fromEntries(
      Object.entries(thresholds).filter(([key]) => metrics[key.split('{')[0]!]?.type !== 'trend'),
    );
    expect(Object.keys(beyondTrends)).toEqual(
      expect.arrayContaining([
        'tickforge_acked_inputs',
        'tickforge_pongs',
        'tickforge_state_messages',
        'checks',
      ]),
    );
    expect(evaluateThresholds(beyondTrends, metrics).breached).toEqual([]);
  }, 60_000);
});
