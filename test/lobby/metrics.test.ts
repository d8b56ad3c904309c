/**
 * The lobby's GET /metrics over real HTTP: each family is checked where the lobby produces it
 * (requests by route template, matchmaking, seats, the store, budgets, streams, match reports),
 * labels stay bounded (no ids, no raw URLs), the optional bearer token guards it, and the live
 * exposition passes `promtool check metrics`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LobbyMetrics } from '../../server/lobby/ops/metrics.ts';
import {
  PROMTOOL,
  prometheusInstalled,
  promtoolCheckMetrics,
  sampleSum,
  samples,
} from '../support/prom-text.ts';
import { NO_RATE_LIMITS, postJson, signUp, startLobby, type TestLobby } from './support.ts';

let lobby: TestLobby | undefined;
afterEach(async () => {
  await lobby?.close();
  lobby = undefined;
});

const WRITES = {
  serverKey: 'a-server-key-of-at-least-32-bytes!!!!',
  adminKey: 'an-admin-key-of-at-least-32-bytes!!!!',
  boardsForMode: () => [],
};

async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(
    `${url}/metrics`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('lobby metrics', () => {
  it('counts requests by route template, never by raw URL, and times them', async () => {
    lobby = await startLobby({ metrics: new LobbyMetrics() });
    const player = await signUp(lobby, 'ann');
    const ticketPath = `/v1/matchmaking/tickets/00000000-0000-4000-8000-000000000000`;
    expect((await player.call('GET', ticketPath)).status).toBe(404);
    expect((await fetch(`${lobby.url}/no/such/thing-1234`)).status).toBe(404);
    const text = await scrape(lobby.url);
    expect(
      sampleSum(text, 'tickforge_lobby_requests_total', {
        route: '/v1/auth/guest',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
    expect(
      sampleSum(text, 'tickforge_lobby_requests_total', {
        route: '/v1/matchmaking/tickets/:ticketId',
        method: 'GET',
        status: '404',
      }),
    ).toBe(1);
    expect(sampleSum(text, 'tickforge_lobby_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(
      sampleSum(text, 'tickforge_lobby_request_seconds_count', { route: '/v1/auth/guest', method: 'POST' }),
    ).toBe(1);
    expect(text).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(text).not.toContain('thing-1234');
    expect(text).not.toContain(player.playerId);
  });

  it('counts matchmaking: queue depth and oldest wait per mode and region, matches, waits, expiries, cancels, seats', async () => {
    const metrics = new LobbyMetrics();
    lobby = await startLobby({ metrics, ticketTtlMs: 60_000 });
    await lobby.heartbeat();
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((n) => signUp(lobby as TestLobby, n)));
    const queue = async (p: typeof a, region: string) => {
      const response = await p!.call('POST', '/v1/matchmaking/tickets', { mode: 'arena', region });
      expect(response.status).toBe(201);
      return ((await response.json()) as { ticketId: string }).ticketId;
    };
    await queue(a, 'eu');
    await queue(b, 'eu');
    const cancelled = await queue(c, 'us');
    lobby.clock.now += 2_000;
    let text = await scrape(lobby.url);
    expect(
      sampleSum(text, 'tickforge_lobby_matchmaking_queue_tickets', { mode: 'arena', region: 'eu' }),
    ).toBe(2);
    expect(
      sampleSum(text, 'tickforge_lobby_matchmaking_queue_tickets', { mode: 'arena', region: 'us' }),
    ).toBe(1);
    expect(
      sampleSum(text, 'tickforge_lobby_matchmaking_oldest_wait_seconds', { mode: 'arena', region: 'eu' }),
    ).toBe(2);

    expect((await c!.call('DELETE', `/v1/matchmaking/tickets/${cancelled}`)).status).toBe(200);
    await queue(d, 'ap');
    lobby.clock.now += 5_000; // past the fill wait: a and b make a match of two
    expect((await lobby.matchmaking.runPass()).matches).toBe(1);
    lobby.clock.now += 60_000; // d's ticket is overdue
    expect((await lobby.matchmaking.runPass()).expired).toBe(1);

    text = await scrape(lobby.url);
    expect(sampleSum(text, 'tickforge_lobby_matchmaking_queue_tickets', { region: 'eu' })).toBe(0);
    expect(sampleSum(text, 'tickforge_lobby_matches_formed_total', { mode: 'arena', region: 'eu' })).toBe(1);
    expect(sampleSum(text, 'tickforge_lobby_matchmaking_wait_seconds_count', { region: 'eu' })).toBe(2);
    expect(sampleSum(text, 'tickforge_lobby_matchmaking_wait_seconds_sum', { region: 'eu' })).toBe(14);
    expect(
      sampleSum(text, 'tickforge_lobby_tickets_ended_total', { region: 'us', outcome: 'cancelled' }),
    ).toBe(1);
    expect(sampleSum(text, 'tickforge_lobby_tickets_ended_total', { region: 'ap', outcome: 'expired' })).toBe(
      1,
    );
    expect(sampleSum(text, 'tickforge_lobby_seat_promises_total', { outcome: 'ok' })).toBe(2);
    expect(
      sampleSum(text, 'tickforge_lobby_store_call_seconds_count', { area: 'tickets', method: 'finish' }),
    ).toBe(3);
    expect(sampleSum(text, 'tickforge_lobby_store_errors_total')).toBe(0);
  });

  it('gives clients at most a bounded number of region labels', () => {
    const metrics = new LobbyMetrics();
    const labels = Array.from({ length: 40 }, (_, i) => metrics.region(`r${i}`));
    expect(new Set(labels).size).toBe(17);
    expect(labels.at(-1)).toBe('other');
    expect(metrics.region('r0')).toBe('r0');
  });

  it('counts store failures by area and method', async () => {
    const metrics = new LobbyMetrics();
    lobby = await startLobby({ metrics });
    await lobby.store.close(); // every later call fails
    expect((await postJson(`${lobby.url}/v1/auth/guest`, { name: 'x' })).status).toBe(500);
    const text = await scrape(lobby.url);
    expect(sampleSum(text, 'tickforge_lobby_store_errors_total', { area: 'players' })).toBeGreaterThan(0);
  });

  it('counts rate-limit refusals by budget, open ticket streams, and match reports received or refused', async () => {
    lobby = await startLobby({
      metrics: new LobbyMetrics(),
      rateLimits: { ...NO_RATE_LIMITS, guestPerMinute: 1 },
      leaderboardWrites: WRITES,
    });
    await lobby.heartbeat();
    const player = await signUp(lobby, 'ann');
    expect((await postJson(`${lobby.url}/v1/auth/guest`, { name: 'bob' })).status).toBe(429);
    const created = await player.call('POST', '/v1/matchmaking/tickets', { mode: 'arena' });
    const { ticketId } = (await created.json()) as { ticketId: string };
    const abort = new AbortController();
    const stream = await fetch(`${lobby.url}/v1/matchmaking/tickets/${ticketId}/events`, {
      headers: { authorization: `Bearer ${player.token}` },
      signal: abort.signal,
    });
    const reader = stream.body!.getReader();
    await reader.read(); // the first event: the stream is open
    let text = await scrape(lobby.url);
    expect(sampleSum(text, 'tickforge_lobby_sse_streams')).toBe(1);
    abort.abort();
    await reader.closed.catch(() => undefined);
    await expect.poll(async () => sampleSum(await scrape(lobby!.url), 'tickforge_lobby_sse_streams')).toBe(0);

    const refused = await fetch(`${lobby.url}/v1/matches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${player.token}` },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    text = await scrape(lobby.url);
    expect(sampleSum(text, 'tickforge_lobby_rate_limited_total', { budget: 'guest' })).toBe(1);
    expect(
      sampleSum(text, 'tickforge_lobby_match_reports_total', { outcome: 'refused', status: '403' }),
    ).toBe(1);
  });

  it('needs the bearer token when one is set', async () => {
    lobby = await startLobby({ metrics: new LobbyMetrics(), metricsToken: 'a-metrics-token-123' });
    const bare = await fetch(`${lobby.url}/metrics`);
    expect(bare.status).toBe(401);
    const wrong = await fetch(`${lobby.url}/metrics`, {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(await scrape(lobby.url, 'a-metrics-token-123')).toContain('tickforge_lobby_requests_total');
  });

  it.skipIf(!prometheusInstalled())(`passes ${PROMTOOL} check metrics on live output`, async () => {
    lobby = await startLobby({ metrics: new LobbyMetrics({ defaultMetrics: true }) });
    await lobby.heartbeat();
    const player = await signUp(lobby, 'ann');
    await player.call('POST', '/v1/matchmaking/tickets', { mode: 'arena' });
    await fetch(`${lobby.url}/metrics`);
    const text = await scrape(lobby.url);
    expect(samples(text, 'tickforge_lobby_requests_total').length).toBeGreaterThan(1);
    expect(await promtoolCheckMetrics(text)).toBe('');
  });
});
