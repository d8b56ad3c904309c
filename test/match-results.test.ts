/**
 * What a game node does with finished matches, over real sockets and HTTP: the report is in the
 * outbox on the data dir by the time a player hears MATCH_END, a node restarted on that data dir
 * delivers what it held, and matches with nothing to count (no results, dev rooms) or that the
 * lobby would refuse (a game bug) still end for players but are never sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { JSONSchemaType } from 'ajv';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { GameNode } from '../server/game/game-node.ts';
import type { MatchSender, Sleep } from '../server/game/match-delivery.ts';
import { OUTBOX_FILE } from '../server/game/match-outbox.ts';
import { lobbyReporter } from '../server/game/match-reporter.ts';
import { defineRoom, type MatchResult, Room } from '../server/game/room.ts';
import { SeatTokens } from '../server/game/seat-token.ts';
import { GameClient } from '../shared/client/game-client.ts';
import { ADMIN_KEY, SERVER_KEY } from './lobby/leaderboard-support.ts';
import { startLobby, type TestLobby } from './lobby/support.ts';
import { TEST_SECRET, testGameConfig } from './support/game.ts';

/** Ends its match on tick 3 once someone sits in it; room option `outcome` says with what. */
class FinishRoom extends Room<{ marker: { n: { type: 'int' } } }, { go: boolean }> {
  #outcome = 'players';
  override onCreate(options: Readonly<Record<string, unknown>>): void {
    this.#outcome = String(options.outcome ?? 'players');
  }
  override onInput(): void {}
  override update(): void {
    if (this.tick < 3 || this.players.size === 0) return;
    const results: MatchResult[] =
      this.#outcome === 'empty'
        ? []
        : [...this.players.values()].map((p) => ({
            playerId: p.id,
            name: p.name,
            score: this.#outcome === 'nan' ? Number.NaN : 1,
          }));
    this.endMatch(results);
  }
}
const goInput: JSONSchemaType<{ go: boolean }> = {
  type: 'object',
  properties: { go: { type: 'boolean' } },
  required: ['go'],
  additionalProperties: false,
};
const finish = defineRoom({
  mode: 'finish',
  state: { marker: { n: { type: 'int' } } },
  input: goInput,
  room: FinishRoom,
  maxPlayers: 4,
});

const tokens = new SeatTokens({ secret: TEST_SECRET });
const nodes: GameNode[] = [];
const clients: GameClient[] = [];
const dirs: string[] = [];
const lobbies: TestLobby[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
  await Promise.all(lobbies.splice(0).map((lobby) => lobby.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Sent {
  readonly sendReport: MatchSender;
  readonly reports: string[];
}
/** A lobby stand-in that takes every report. */
const accepting = (): Sent => {
  const reports: string[] = [];
  const sendReport: MatchSender = async (r) => {
    reports.push(r.matchId);
    return { kind: 'delivered' };
  };
  return { reports, sendReport };
};
/** A lobby that never answers until the node stops. */
const silent = (): Sent => {
  const reports: string[] = [];
  const sendReport: MatchSender = (r, signal) => {
    reports.push(r.matchId);
    return new Promise((resolve) =>
      signal.addEventListener('abort', () =>
        resolve({ kind: 'retry', reason: 'network', detail: 'stopped' }),
      ),
    );
  };
  return { reports, sendReport };
};

async function startNode(
  sent: Pick<Sent, 'sendReport'>,
  dataDir = ':memory:',
  shutdownTimeoutMs = 2_000,
  sleep?: Sleep,
): Promise<GameNode> {
  const node = await GameNode.start({
    config: testGameConfig({ shutdownTimeoutMs, devSeats: true }),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    tokens,
    rooms: [finish],
    dataDir,
    sendReport: sent.sendReport,
    ...(sleep ? { sleep } : {}),
  });
  nodes.push(node);
  return node;
}

/** Seat `playerId` in `roomId` (created with `options`) and wait for the MATCH_END it hears. */
async function playToEnd(node: GameNode, roomId: string, playerId: string, options = {}) {
  const seat = await tokens.mintSeat({
    playerId,
    name: playerId,
    roomId,
    mode: 'finish',
    nodeId: node.config.nodeId,
    options,
  });
  const client = await GameClient.connect({ url: node.url, seat, pingIntervalMs: 0 });
  clients.push(client);
  return (await client.next('matchEnd')) as { matchId: string; results: MatchResult[] };
}

const metrics = async (node: GameNode) => (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();

const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tickforge-results-'));
  dirs.push(dir);
  return dir;
};

describe('match results at the game node', () => {
  it('the report is on disk in the outbox when MATCH_END reaches the player', async () => {
    const dir = await dataDir();
    const node = await startNode(silent(), dir, 0);
    const report = await playToEnd(node, 'room-1', 'ada');
    const outbox = new DatabaseSync(join(dir, OUTBOX_FILE), { readOnly: true });
    const rows = outbox.prepare('SELECT match_id, report FROM pending_reports').all();
    outbox.close();
    expect(rows.map((r) => r.match_id)).toEqual([report.matchId]);
    expect(JSON.parse(rows[0]?.report as string)).toEqual(report);
    expect(await metrics(node)).toMatch(/^tickforge_match_reports_pending 1$/m);
  });

  it('a node restarted on the same data dir delivers what it held, and the next start nothing', async () => {
    const dir = await dataDir();
    const first = silent();
    const node = await startNode(first, dir, 0);
    const report = await playToEnd(node, 'room-1', 'ada');
    await node.stop(); // the lobby never answered: the report stays in the outbox
    expect(first.reports).toEqual([report.matchId]);

    const second = accepting();
    const restarted = await startNode(second, dir);
    await restarted.results.drain();
    expect(second.reports).toEqual([report.matchId]);
    expect(await metrics(restarted)).toMatch(/^tickforge_match_reports_delivered_total 1$/m);
    await restarted.stop();

    const third = accepting();
    await (await startNode(third, dir)).results.drain();
    expect(third.reports).toEqual([]);
  });

  it('a match that ends with no results still ends for players and is never reported', async () => {
    const sent = accepting();
    const node = await startNode(sent);
    const report = await playToEnd(node, 'room-1', 'ada', { outcome: 'empty' });
    expect(report.results).toEqual([]);
    await node.results.drain();
    const text = await metrics(node);
    expect(text).toMatch(/^tickforge_match_ends_total\{disposition="empty"\} 1$/m);
    expect(text).toMatch(/^tickforge_match_reports_pending 0$/m);
    expect(sent.reports).toEqual([]);
  });

  it('a dev room match ends for players and is never reported', async () => {
    const sent = accepting();
    const node = await startNode(sent);
    const seat = await fetch(`http://127.0.0.1:${node.port}/dev/seats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'finish', name: 'ada' }),
    });
    const { url, seat: token, roomId } = (await seat.json()) as { url: string; seat: string; roomId: string };
    expect(roomId).toMatch(/^dev-/);
    const client = await GameClient.connect({ url, seat: token, pingIntervalMs: 0 });
    clients.push(client);
    const report = (await client.next('matchEnd')) as { results: MatchResult[] };
    expect(report.results.map((r) => r.name)).toEqual(['ada']);
    await node.results.drain();
    expect(await metrics(node)).toMatch(/^tickforge_match_ends_total\{disposition="dev_room"\} 1$/m);
    expect(sent.reports).toEqual([]);
  });

  it('a report the lobby would refuse (a NaN score) is dead-lettered at the node, never sent', async () => {
    const dir = await dataDir();
    const sent = accepting();
    const node = await startNode(sent, dir);
    const report = await playToEnd(node, 'room-1', 'ada', { outcome: 'nan' });
    expect(Number.isNaN(report.results[0]?.score)).toBe(true);
    await node.results.drain();
    const text = await metrics(node);
    expect(text).toMatch(/^tickforge_match_ends_total\{disposition="invalid"\} 1$/m);
    expect(text).toMatch(/^tickforge_match_reports_dead_lettered_total\{reason="invalid"\} 1$/m);
    expect(text).toMatch(/^tickforge_match_reports_dead_letters 1$/m);
    expect(sent.reports).toEqual([]);
    const outbox = new DatabaseSync(join(dir, OUTBOX_FILE), { readOnly: true });
    const rows = outbox.prepare('SELECT match_id, reason FROM dead_letters').all();
    outbox.close();
    expect(rows).toEqual([
      { match_id: report.matchId, reason: expect.stringContaining('/report/results/0/score') },
    ]);
  });

  it("the node's dev seats refuse names the lobby refuses (one rule, from shared/)", async () => {
    const node = await startNode(accepting());
    const seat = (name: string) =>
      fetch(`http://127.0.0.1:${node.port}/dev/seats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'finish', name }),
      });
    for (const name of ['bo\ud800', ' bo', 'x'.repeat(25)]) {
      const answer = await seat(name);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('/name');
    }
    expect((await seat('bo')).status).toBe(201);
  });

  it('stop() waits for the report under way to be delivered before the node goes', async () => {
    let release: () => void = () => {};
    const delivered: string[] = [];
    const sendReport: MatchSender = (r, signal) =>
      new Promise((resolve) => {
        release = () => {
          if (signal.aborted) return; // too late: the node gave up on this send
          delivered.push(r.matchId);
          resolve({ kind: 'delivered' });
        };
        signal.addEventListener('abort', () =>
          resolve({ kind: 'retry', reason: 'network', detail: 'aborted' }),
        );
      });
    const node = await startNode({ sendReport }, ':memory:', 10_000);
    const seat = await tokens.mintSeat({
      playerId: 'ada',
      name: 'ada',
      roomId: 'room-1',
      mode: 'finish',
      nodeId: node.config.nodeId,
      options: {},
    });
    const client = await GameClient.connect({ url: node.url, seat, pingIntervalMs: 0 });
    clients.push(client);
    const report = (await client.next('matchEnd')) as { matchId: string };
    const closed = client.next('close');
    const stopping = node.stop();
    await closed; // the drain has begun: the player is gone, the report is still on its way
    // A node that did not wait would abort the send within milliseconds of closing its sockets;
    // this one holds on (up to its 10 s shutdown timeout) until the lobby answers.
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await stopping;
    expect(delivered).toEqual([report.matchId]);
  });
});

/** A lobby on real HTTP whose board `finish` counts mode `finish`, taking reports with SERVER_KEY. */
async function finishLobby(): Promise<TestLobby> {
  const lobby = await startLobby({
    boards: [{ id: 'finish', sort: 'desc', operator: 'best', reset: 'never' }],
    leaderboardWrites: {
      serverKey: SERVER_KEY,
      adminKey: ADMIN_KEY,
      boardsForMode: (mode) => (mode === 'finish' ? ['finish'] : []),
    },
  });
  lobbies.push(lobby);
  return lobby;
}

/** A delivery sleep that says when the loop first decides to retry, and waits until the node stops. */
function parkedRetries() {
  let retried: () => void = () => {};
  const firstRetry = new Promise<void>((resolve) => (retried = resolve));
  const sleep: Sleep = (_ms, signal) => {
    retried();
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };
  return { sleep, firstRetry };
}

describe('match results when the node is misconfigured', () => {
  it('a wrong server key keeps the report in the outbox, and the node started with the right key delivers it', async () => {
    const lobby = await finishLobby();
    const dir = await dataDir();
    const { sleep, firstRetry } = parkedRetries();
    const wrongKey = lobbyReporter({ lobbyUrl: lobby.url, serverKey: 'x'.repeat(48) });
    const node = await startNode({ sendReport: wrongKey }, dir, 0, sleep);
    await playToEnd(node, 'room-1', 'ada');
    // The lobby answers 401: the report must wait for a fixed key, not be written off.
    await Promise.race([firstRetry, node.results.drain()]);
    const text = await metrics(node);
    expect(text).toMatch(/^tickforge_match_reports_pending 1$/m);
    expect(text).toMatch(/^tickforge_match_reports_dead_letters 0$/m);
    expect(text).toMatch(/^tickforge_match_report_retries_total\{reason="misconfigured"\} 1$/m);
    await node.stop();

    const rightKey = lobbyReporter({ lobbyUrl: lobby.url, serverKey: SERVER_KEY });
    const fixed = await startNode({ sendReport: rightKey }, dir);
    await fixed.results.drain();
    const board = await lobby.store.leaderboards.top('finish');
    expect(board.records.map((r) => [r.playerId, r.score])).toEqual([['ada', 1]]);
  });

  it('a lobby URL that reaches something else (here the game node: 404) keeps the report too', async () => {
    const lobby = await finishLobby();
    const dir = await dataDir();
    const { sleep, firstRetry } = parkedRetries();
    let nodeUrl = '';
    // TICKFORGE_LOBBY_URL set to the game node's own port: POST /v1/matches is a 404 there.
    const misrouted: MatchSender = (r, signal) =>
      lobbyReporter({ lobbyUrl: nodeUrl, serverKey: SERVER_KEY })(r, signal);
    const node = await startNode({ sendReport: misrouted }, dir, 0, sleep);
    nodeUrl = `http://127.0.0.1:${node.port}`;
    await playToEnd(node, 'room-1', 'ada');
    await Promise.race([firstRetry, node.results.drain()]);
    expect(await metrics(node)).toMatch(/^tickforge_match_reports_pending 1$/m);
    await node.stop();

    const fixed = await startNode(
      { sendReport: lobbyReporter({ lobbyUrl: lobby.url, serverKey: SERVER_KEY }) },
      dir,
    );
    await fixed.results.drain();
    expect((await lobby.store.leaderboards.top('finish')).records.map((r) => r.playerId)).toEqual(['ada']);
  });
});
