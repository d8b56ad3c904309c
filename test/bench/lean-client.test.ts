/**
 * The lean generator's clients (bench/lean/raw-client.ts in Node, bench/lean/generator.c in C)
 * against a real game node: they read acks from state headers without decoding bodies, including
 * from ROOM_DELTA tables at their own slot, so their input->ack figures are only honest if the ack
 * they read is the seat's real ack.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/chart.ts';
import { buildNativeGenerator } from '../../bench/lean/native.ts';
import { NativeFleet } from '../../bench/lean/native-fleet.ts';
import { inputFrame, LeanClient, type LeanTotals } from '../../bench/lean/raw-client.ts';
import { seatUrl } from '../../loadtest/common/lobby-api.ts';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import { startTestNode, stopAll } from '../support/game.ts';

afterAll(stopAll);

/** Resolves once `check` holds, polling on timers (no assertion on how long it takes). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('LeanClient', () => {
  it('reads each client its own ack, from DELTAs and from ROOM_DELTA tables alike', async () => {
    const { node, devSeat } = await startTestNode({ config: { transport: 'uws' } });
    expect(node.transport.kind).toBe('uws');
    const latencies: number[] = [];
    const closes: number[] = [];
    const totals: LeanTotals = {
      states: 0,
      messages: 0,
      bytes: 0,
      inputs: 0,
      ack: (ms) => void latencies.push(ms),
      closed: (code) => void closes.push(code),
    };
    const clients: LeanClient[] = [];
    for (let i = 0; i < 3; i++) {
      const url = new URL(seatUrl(await devSeat({ roomId: 'dev-lean', name: `lean${i}` })));
      const frames = [inputFrame({ dx: 1, dy: 0 }, encodeMessage)];
      const client = new LeanClient(
        Number(url.port),
        `${url.pathname}${url.search}`,
        SUBPROTOCOL,
        frames,
        totals,
        'state',
      );
      await client.ready;
      clients.push(client);
    }
    expect(clients.map((c) => c.slot)).toEqual([0, 1, 2]);
    // Different input counts per client: an ack read at another slot would show.
    const sends = [2, 5, 7]; // within the rate bucket's burst of 8
    clients.forEach((client, i) => {
      for (let k = 0; k < sends[i]!; k++) client.sendInput(performance.now());
    });
    // A dropped client never gets its acks: stop waiting and say so.
    await until(() => closes.length > 0 || clients.every((c, i) => c.ackSeq >= sends[i]!));
    expect(closes).toEqual([]);
    expect(clients.map((c) => c.ackSeq)).toEqual(sends);
    expect(latencies).toHaveLength(2 + 5 + 7);
    expect(totals.states).toBeGreaterThan(0);
    for (const client of clients) client.close();
  });
});

const native = buildNativeGenerator();

// Without a C compiler the bench falls back to the Node players; under CI (which has one) never skip.
describe.skipIf(!('path' in native) && process.env.CI !== 'true')('NativeFleet (the C generator)', () => {
  // A starved CI machine (load 20+) took over 20 s for the node, three seats and the acks once.
  it('reads each player its own ack from ROOM_DELTA tables, and times every acked input', {
    timeout: 60_000,
  }, async () => {
    const { node, devSeat } = await startTestNode({ config: { transport: 'uws' } });
    expect(node.transport.kind).toBe('uws');
    const frames = [inputFrame({ dx: 1, dy: 0 }, encodeMessage)];
    // Input rate 0: no clock, inputs only when the test sends them.
    const fleet = new NativeFleet((native as { path: string }).path, SUBPROTOCOL, frames, 'state', 0, 1);
    try {
      for (let i = 0; i < 3; i++) {
        const url = new URL(seatUrl(await devSeat({ roomId: 'dev-native', name: `native${i}` })));
        await fleet.join(Number(url.port), `${url.pathname}${url.search}`);
      }
      const start = await fleet.mark();
      expect(start.disconnects).toEqual({});
      expect(start.open).toBe(3);
      const sends = [2, 5, 7]; // different per player, so an ack read at another slot would show
      sends.forEach((n, i) => {
        for (let k = 0; k < n; k++) fleet.send(i);
      });
      // One question to the C process at a time: a poll that outran its answers queued them up.
      let acks: number[] = [];
      for (;;) {
        acks = await fleet.ackSeqs();
        if (acks.length === 3 && acks.every((a, i) => a >= sends[i]!)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(acks).toEqual(sends);
      const end = await fleet.mark();
      expect(end.inputs - start.inputs).toBe(2 + 5 + 7);
      expect(end.ackSamples).toBe(2 + 5 + 7);
      expect(end.ackP50Ms).toBeGreaterThan(0);
      expect(end.states).toBeGreaterThan(start.states);
      expect(end.disconnects).toEqual({});
    } finally {
      fleet.close();
    }
  });
});

describe('renderChart', () => {
  it('draws one line per system in each panel, every point with its value', () => {
    const point = (system: string, clients: number, cpu: number) => ({
      system,
      clients,
      serverCpuMsPerClientSecond: cpu,
      serverRssMiB: 100 + cpu,
      bots: { statesPerClientSecond: 20 },
    });
    const svg = renderChart(
      [
        point('uws', 1024, 0.4),
        point('uws', 2048, 0.35),
        point('floor', 1024, 0.3),
        point('floor', 2048, 0.28),
      ],
      'test run',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(6); // 2 systems x 3 panels
    expect(svg).toContain('Tickforge (uWS.js), 2048 clients: 0.35 ms');
    expect(svg).toContain('raw uWS.js floor, 1024 clients: 100 MiB');
    expect(svg).not.toContain('missed its tick rate');
    const starved = renderChart(
      [{ ...point('floor', 1024, 0.3), bots: { statesPerClientSecond: 12 } }],
      'busy',
    );
    expect(starved).toContain('The floor itself missed its tick rate at 1,024 clients');
  });
});
