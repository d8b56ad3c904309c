/**
 * The results promise across a crash, on the real process: two players play a lobby room on
 * `server/main.ts`, bundled as `npm start` runs it (its match outbox writes on a worker thread from
 * the bundle too), while its lobby URL points at a lobby that does not accept reports yet. The
 * moment MATCH_END reaches both players the process is killed with SIGKILL. Restarted on the same
 * data dir (now reporting to its own lobby), it delivers the report it held, and both results land
 * on every board of the mode exactly once.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GameClient } from '../shared/client/game-client.ts';
import { bundledMain, type MainProcess, NO_TYPESCRIPT, startMain, step } from './support/main-process.ts';

interface MatchEnd {
  readonly matchId: string;
  readonly results: { playerId: string; name: string; score: number }[];
}
interface Board {
  readonly records: { playerId: string; name: string; score: number }[];
}

const running: MainProcess[] = [];
const clients: GameClient[] = [];
let unready: Server | undefined;
let dataDir = '';
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const main of running.splice(0)) main.child.kill('SIGKILL');
  unready?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A lobby that is not ready for reports: every one gets 503 and a long Retry-After. */
async function lobbyNotAcceptingYet(): Promise<{ url: string; attempts: number }> {
  const seen = { url: '', attempts: 0 };
  unready = createServer((req, res) => {
    seen.attempts++;
    req.resume();
    res.writeHead(503, { 'retry-after': '3600', 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => unready!.listen(0, '127.0.0.1', resolve));
  seen.url = `http://127.0.0.1:${(unready.address() as AddressInfo).port}`;
  return seen;
}

async function main(env: Record<string, string>): Promise<MainProcess> {
  const started = await startMain(
    {
      TICKFORGE_DATA_DIR: dataDir,
      TICKFORGE_LOG_LEVEL: 'info',
      TICKFORGE_SERVE_DEMO: 'false',
      TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":2}}',
      ...env,
    },
    { entry: await bundledMain(), flags: NO_TYPESCRIPT },
  );
  running.push(started);
  return started;
}

async function call(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

describe('match results survive SIGKILL', () => {
  it('a node killed as MATCH_END reaches the players delivers both results after a restart, once', {
    timeout: 90_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickforge-crash-'));
    const lobbyDown = await lobbyNotAcceptingYet();
    const first = await main({ TICKFORGE_LOBBY_URL: lobbyDown.url });

    // Two guests in one lobby room on the node (dev rooms are never reported).
    const guest = (name: string) => call(`${first.lobby}/v1/auth/guest`, { name });
    const ada = await guest('ada');
    const bo = await guest('bo');
    const created = await call(`${first.lobby}/v1/rooms`, { mode: 'arena' }, ada.accessToken as string);
    const roomId = (created.room as { roomId: string }).roomId;
    const joined = await call(`${first.lobby}/v1/rooms/${roomId}/seats`, {}, bo.accessToken as string);
    const play = async (reservation: unknown) => {
      const { url, seat } = reservation as { url: string; seat: string };
      const client = await GameClient.connect({ url, seat, pingIntervalMs: 0 });
      clients.push(client);
      return client;
    };
    const players = await step(
      'both players connect',
      first,
      Promise.all([play(created.reservation), play(joined.reservation)]),
    );

    // The moment both have heard MATCH_END, the process dies without a chance to deliver.
    const heard = await step(
      'MATCH_END reaches both players',
      first,
      Promise.all(players.map((p) => p.next('matchEnd') as Promise<MatchEnd>)),
    );
    first.child.kill('SIGKILL');
    expect(await step('the process dies', first, first.exited)).toBeNull();
    const [report] = heard;
    expect(heard[1]?.matchId).toBe(report?.matchId);
    expect(report?.results.map((r) => r.playerId).sort()).toEqual([ada.playerId, bo.playerId].sort());
    for (const client of clients.splice(0)) client.close();

    // Restarted on the same data dir, reporting to its own lobby now.
    const second = await main({});
    const reported = await step(
      'the held report is delivered',
      second,
      second.line(/"msg":"match reported"/),
    );
    const logged = JSON.parse(reported) as { matchId: string; answer: string };
    expect(logged.matchId).toBe(report?.matchId);
    // Two players on two boards (arena, arena-weekly), each applied once.
    expect(JSON.parse(logged.answer)).toEqual({
      matchId: report?.matchId,
      applied: 4,
      unchanged: 0,
      duplicates: 0,
      durable: true,
    });
    const expected = report!.results.map((r) => [r.playerId, r.name, r.score]).sort();
    for (const board of ['arena', 'arena-weekly']) {
      const page = (await (await fetch(`${second.lobby}/v1/leaderboards/${board}/top`)).json()) as Board;
      expect(page.records.map((r) => [r.playerId, r.name, r.score]).sort()).toEqual(expected);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
    expect(metrics).toMatch(/^tickforge_match_reports_pending 0$/m);
    expect(metrics).toMatch(/^tickforge_match_reports_delivered_total 1$/m);
  });
});
