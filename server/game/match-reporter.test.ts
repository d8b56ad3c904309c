import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { httpMatchReporter } from './match-reporter.ts';
import type { MatchReport } from './room.ts';

const report: MatchReport = {
  matchId: 'm1',
  roomId: 'r1',
  mode: 'arena',
  endedAt: 1,
  results: [{ playerId: 'p1', name: 'ada', score: 3 }],
};

let server: Server | undefined;
afterEach(() => server?.close());

/** A lobby stand-in answering with `statuses` in turn; records what it received. */
async function lobby(statuses: number[]) {
  const received: { auth: string | undefined; body: unknown }[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const log = pino({ level: 'silent' });

describe('httpMatchReporter', () => {
  it('posts the report with the server key, retrying 5xx and 429 until it lands', async () => {
    const { url, received } = await lobby([503, 429, 200]);
    await httpMatchReporter({ lobbyUrl: url, serverKey: 'k'.repeat(32), log, backoffMs: 1 })(report);
    expect(received).toHaveLength(3);
    expect(received[0]).toEqual({ auth: `Bearer ${'k'.repeat(32)}`, body: report });
  });

  it('gives up at once on a 4xx: the lobby will never take that report', async () => {
    const { url, received } = await lobby([400]);
    await httpMatchReporter({ lobbyUrl: url, serverKey: 'k'.repeat(32), log, backoffMs: 1 })(report);
    expect(received).toHaveLength(1);
  });

  it('stops after its attempts when the lobby is unreachable, without throwing', async () => {
    let calls = 0;
    const failing = (async () => {
      calls++;
      throw new Error('connect ECONNREFUSED');
    }) as unknown as typeof fetch;
    const send = httpMatchReporter({
      lobbyUrl: 'http://127.0.0.1:9',
      serverKey: 'k'.repeat(32),
      log,
      attempts: 3,
      backoffMs: 1,
      fetch: failing,
    });
    await expect(send(report)).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});
