/**
 * The lean generator's client (bench/lean/raw-client.ts) against a real game node: it reads acks
 * from state headers without decoding bodies, including from ROOM_DELTA tables at its own slot, so
 * its input->ack figures are only honest if the ack it reads is the seat's real ack.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/chart.ts';
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
    const totals: LeanTotals = {
      states: 0,
      messages: 0,
      bytes: 0,
      inputs: 0,
      ack: (ms) => void latencies.push(ms),
      closed: () => {},
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
    await until(() => clients.every((c, i) => c.ackSeq >= sends[i]!));
    expect(clients.map((c) => c.ackSeq)).toEqual(sends);
    expect(latencies).toHaveLength(2 + 5 + 7);
    expect(totals.states).toBeGreaterThan(0);
    for (const client of clients) client.close();
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
    expect(svg).not.toContain('too busy');
    const starved = renderChart(
      [{ ...point('floor', 1024, 0.3), bots: { statesPerClientSecond: 12 } }],
      'busy',
    );
    expect(starved).toContain('this machine was too busy');
  });
});
