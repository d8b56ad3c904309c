/**
 * The lobby script's smoke profile against a real, otherwise idle Tickforge: its scenario runs as k6
 * would run it (every VU at once, each in its own thread, blocking HTTP, the wall clock), and the
 * run must pass its own thresholds (latency aside: that is the test machine's). Arena needs two players, so a smoke profile of one VU would
 * wait out its ticket and fail (k6 exit 99) on a quiet deployment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildK6Scripts } from '../../loadtest/build.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';
import type { K6Records, MetricRecord } from './support/k6-runtime.ts';
import { evaluateThresholds, type ThresholdSpec } from './support/k6-thresholds.ts';
import { runInK6Realm } from './support/realm-client.ts';

const outdir = mkdtempSync(join(tmpdir(), 'tickforge-k6-smoke-'));
const lobbyJs = join(outdir, 'lobby.js');
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

describe('k6 lobby smoke profile on a quiet deployment', () => {
  it('queues its players together, gets them matched, and passes its thresholds', async () => {
    const env = { LOBBY_URL: tickforge!.lobbyUrl, PROFILE: 'smoke', POLL_MS: '50', MATCH_TIMEOUT_S: '10' };
    const [options, run] = await runInK6Realm([
      { kind: 'options', bundle: lobbyJs, env },
      { kind: 'scenario', bundle: lobbyJs, env },
    ]);
    if (!options?.ok || !run?.ok) throw new Error(JSON.stringify([options, run]));
    const { vus } = run as { vus: readonly K6Records[] };
    expect(vus).toHaveLength(2);
    for (const vu of vus) {
      expect(vu.metrics.tickforge_match_failed!.samples.map((s) => s.value)).toEqual([0]);
      expect(Object.entries(vu.checks).filter(([, t]) => t.fails > 0)).toEqual([]);
    }
    // Both tickets ended in one match: no ticket is left searching.
    expect(await tickforge!.store.tickets.searching()).toEqual([]);
    // Its thresholds pass, but for the latency SLOs: those measure this (shared, busy) machine.
    const { thresholds } = (options as { options: { thresholds: Record<string, ThresholdSpec[]> } }).options;
    const metrics = merged(vus);
    const beyondLatency = Object.fromEntries(
      Object.entries(thresholds).filter(([key]) => metrics[key.split('{')[0]!]?.type !== 'trend'),
    );
    expect(Object.keys(beyondLatency)).toEqual(expect.arrayContaining(['tickforge_matches', 'checks']));
    expect(evaluateThresholds(beyondLatency, metrics).breached).toEqual([]);
  }, 30_000);
});
