import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MatchDelivery, type MatchSender, type SendOutcome, type Sleep } from './match-delivery.ts';
import { MatchOutbox } from './match-outbox.ts';
import { lobbyReporter, retryAfterMs } from './match-reporter.ts';
import { GameMetrics } from './metrics.ts';
import type { MatchReport } from './room.ts';

const report = (matchId: string): MatchReport => ({
  matchId,
  roomId: 'room-1',
  mode: 'arena',
  endedAt: 1,
  results: [{ playerId: 'p1', name: 'ada', score: 3 }],
});
const SERVER_KEY = 'k'.repeat(32);
const log = pino({ level: 'silent' });

let server: Server | undefined;
const opened: MatchDelivery[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.stop()));
  server?.close();
  server = undefined;
});

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** The body; by default the lobby's own answer naming the report's match (its acknowledgement). */
  readonly body?: string;
}

/** A lobby stand-in over real HTTP answering with `answers` in turn (then 200); records what came. */
async function lobby(answers: Answer[]) {
  const received: { auth: string | undefined; body: MatchReport }[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      const body = (req.method === 'POST' ? JSON.parse(text) : undefined) as MatchReport;
      received.push({ auth: req.headers.authorization, body });
      const answer = answers.shift() ?? { status: 200 };
      const ack = { matchId: body?.matchId, applied: 1, unchanged: 0, duplicates: 0, durable: true };
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(answer.body ?? JSON.stringify(ack));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/**
 * A delivery loop over an in-memory outbox whose sleeps are recorded, never waited: each one moves
 * the injected clock on by as much.
 */
function delivery(
  send: MatchSender,
  options: { maxBackoffMs?: number; confirmMs?: number; outbox?: MatchOutbox; sleep?: Sleep } = {},
) {
  const { outbox = MatchOutbox.open(':memory:'), ...rest } = options;
  const metrics = new GameMetrics();
  const sleeps: number[] = [];
  const clock = { now: 1_000_000 };
  const loop = new MatchDelivery({
    outbox,
    send,
    log,
    metrics,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    now: () => clock.now,
    random: () => 0.5,
    backoffMs: 100,
    ...rest,
  });
  opened.push(loop);
  const counter = async (name: string) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.reason ?? ''), v.value]));
  };
  return { outbox, metrics, sleeps, loop, counter, clock };
}

/**
 * A lobby stand-in over real HTTP that counts each match once, as the real one does per (match,
 * player), and answers with its `durable` word; `lose()` forgets what it applied, as a Redis that
 * crashed before its fsync does.
 */
async function countingLobby(durable: boolean) {
  const applied = new Set<string>();
  const received: string[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      const { matchId } = JSON.parse(text) as MatchReport;
      received.push(matchId);
      const fresh = !applied.has(matchId);
      applied.add(matchId);
      const ack = { matchId, applied: fresh ? 1 : 0, unchanged: 0, duplicates: fresh ? 0 : 1, durable };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ack));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, lose: () => applied.clear(), count: (matchId: string) => applied.has(matchId) };
}

describe('MatchDelivery with the lobby reporter', () => {
  it('honours Retry-After on 429 and 503 and retries until the lobby takes the report', async () => {
    const stand = await lobby([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': '7' } },
    ]);
    const { outbox, sleeps, loop, counter } = delivery(
      lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }),
    );
    await outbox.add(report('m1'));
    loop.start();
    await loop.drain();
    expect(sleeps).toEqual([7000, 2000, 7000]);
    expect(stand.received).toHaveLength(4);
    expect(stand.received[3]).toEqual({ auth: `Bearer ${SERVER_KEY}`, body: report('m1') });
    expect(outbox.pending).toBe(0);
    expect(await counter('tickforge_match_report_retries_total')).toEqual({
      rate_limited: 2,
      unavailable: 1,
    });
    expect(await counter('tickforge_match_reports_delivered_total')).toEqual({ '': 1 });
  });

  it('never gives up on 5xx and network errors: exponential backoff with a cap, then delivered', async () => {
    const stand = await lobby(Array.from({ length: 12 }, () => ({ status: 500 })));
    const reporter = lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY });
    let refusedConnections = 3;
    // The first three tries find no lobby at all (connection refused).
    const send: MatchSender = (r, signal) =>
      refusedConnections-- > 0
        ? lobbyReporter({ lobbyUrl: 'http://127.0.0.1:9', serverKey: SERVER_KEY })(r, signal)
        : reporter(r, signal);
    const { outbox, sleeps, loop, counter } = delivery(send, { maxBackoffMs: 3_000 });
    await outbox.add(report('m1'));
    await outbox.add(report('m2'));
    loop.start();
    await loop.drain();
    // Equal jitter at random 0.5: three quarters of min(cap, 100 * 2^(n-1)).
    expect(sleeps).toEqual([
      75, 150, 300, 600, 1200, 2250, 2250, 2250, 2250, 2250, 2250, 2250, 2250, 2250, 2250,
    ]);
    expect(stand.received.map((r) => r.body.matchId)).toEqual([...Array(13).fill('m1'), 'm2']);
    expect(await counter('tickforge_match_report_retries_total')).toEqual({ network: 3, server_error: 12 });
  });

  it('moves a report the lobby refuses to the dead-letter table, once, and goes on with the rest', async () => {
    const stand = await lobby([{ status: 400 }]);
    const { outbox, sleeps, loop, counter, metrics } = delivery(
      lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }),
    );
    await outbox.add(report('m1'));
    await outbox.add(report('m2'));
    loop.start();
    await loop.drain();
    expect(stand.received.map((r) => r.body.matchId)).toEqual(['m1', 'm2']);
    expect(sleeps).toEqual([]);
    expect(outbox.deadLetterRows().map((r) => [r.matchId, r.reason])).toEqual([
      ['m1', expect.stringMatching(/^status 400: \{"matchId":"m1"/)],
    ]);
    expect(await counter('tickforge_match_reports_dead_lettered_total')).toEqual({ refused: 1 });
    expect(await metrics.render()).toMatch(/^tickforge_match_reports_pending 0$/m);
  });

  it('dead-letters only answers that judge the report: 400, 413, 422', async () => {
    const stand = await lobby([{ status: 413 }, { status: 422 }]);
    const { outbox, sleeps, loop } = delivery(lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }));
    for (const id of ['m1', 'm2', 'm3']) await outbox.add(report(id));
    loop.start();
    await loop.drain();
    expect(sleeps).toEqual([]);
    expect(outbox.deadLetterRows().map((r) => r.matchId)).toEqual(['m1', 'm2']);
  });

  it('keeps and retries a report on answers that say the node is misconfigured, not the report bad', async () => {
    const stand = await lobby([
      { status: 401, body: '{"detail":"The key is not the server key."}' },
      { status: 403 },
      { status: 404 },
      { status: 405 },
      { status: 418 },
      // Something that is not the lobby answering 200 to anything: not an acknowledgement.
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>welcome</html>' },
      { status: 200, body: '{"matchId":"another-match"}' },
      { status: 204, body: '' },
    ]);
    const { outbox, sleeps, loop, counter } = delivery(
      lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }),
    );
    await outbox.add(report('m1'));
    loop.start();
    await loop.drain();
    expect(stand.received.map((r) => r.body.matchId)).toEqual(Array(9).fill('m1'));
    expect(sleeps).toHaveLength(8);
    expect(outbox.deadLetters).toBe(0);
    expect(await counter('tickforge_match_report_retries_total')).toEqual({ misconfigured: 8 });
    expect(await counter('tickforge_match_reports_delivered_total')).toEqual({ '': 1 });
  });

  it('a redirect that turns the POST into a GET is not taken for an answer on the report', async () => {
    const stand = await lobby([]);
    // A proxy in front of the lobby that redirects (e.g. http to https): fetch follows 301 with GET.
    const redirecting = createServer((req, res) => {
      req.resume();
      res.writeHead(301, { location: `${stand.url}/v1/matches` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
      const outcome = await lobbyReporter({ lobbyUrl: url, serverKey: SERVER_KEY })(
        report('m1'),
        AbortSignal.timeout(5_000),
      );
      expect(stand.received).toEqual([{ auth: undefined, body: undefined }]);
      expect(outcome).toMatchObject({ kind: 'retry', reason: 'misconfigured' });
    } finally {
      redirecting.close();
    }
  });

  it('never retries faster than its backoff, whatever Retry-After says (0, a date in the past)', async () => {
    const stand = await lobby([
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': 'Sun, 22 Nov 2020 11:00:00 GMT' } },
      { status: 503, headers: { 'retry-after': '0' } },
    ]);
    const { outbox, sleeps, loop } = delivery(lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }));
    await outbox.add(report('m1'));
    loop.start();
    await loop.drain();
    expect(sleeps).toEqual([75, 150, 300]);
  });

  it('wakes for new reports, and stop() leaves an unanswered report in the outbox', async () => {
    const sent: string[] = [];
    let hang: (outcome: SendOutcome) => void = () => {};
    const send: MatchSender = (r, signal) => {
      sent.push(r.matchId);
      if (r.matchId === 'm1') return Promise.resolve({ kind: 'delivered' });
      // The lobby never answers m2; stopping aborts the request.
      return new Promise((resolve) => {
        hang = resolve;
        signal.addEventListener('abort', () =>
          resolve({ kind: 'retry', reason: 'network', detail: 'aborted' }),
        );
      });
    };
    const { outbox, loop } = delivery(send);
    loop.start();
    await loop.drain(); // empty: resolves at once
    await outbox.add(report('m1'));
    loop.wake();
    await loop.drain();
    await outbox.add(report('m2'));
    loop.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['m1', 'm2']);
    await loop.stop();
    hang({ kind: 'delivered' }); // too late: the loop has stopped
    expect(outbox.oldest(10).map((p) => p.report.matchId)).toEqual(['m2']);
  });
});

describe('MatchDelivery confirmation of acknowledgements that are not durable', () => {
  const counters = async (counter: (name: string) => Promise<Record<string, number>>) => ({
    delivered: (await counter('tickforge_match_reports_delivered_total'))[''],
    confirmations: (await counter('tickforge_match_report_confirmations_total'))[''],
    reapplied: (await counter('tickforge_match_reports_reapplied_total'))[''],
  });

  it('keeps an acknowledged report for the window, then one confirmation send finds it survived', async () => {
    const stand = await countingLobby(false);
    const { outbox, sleeps, loop, counter, clock } = delivery(
      lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }),
      { confirmMs: 3_000 },
    );
    await outbox.add(report('m1'));
    const start = clock.now;
    loop.start();
    await loop.drain();
    // One wait, exactly the window from the acknowledgement, then the one confirmation send.
    expect(sleeps).toEqual([3_000]);
    expect(clock.now - start).toBe(3_000);
    expect(stand.received).toEqual(['m1', 'm1']);
    expect(outbox.pending).toBe(0);
    expect(await counters(counter)).toEqual({ delivered: 1, confirmations: 1, reapplied: 0 });
  });

  it('a report the store lost after acknowledging it is applied again by the confirmation, then confirmed in turn', async () => {
    const stand = await countingLobby(false);
    let sends = 0;
    const reporter = lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY });
    const send: MatchSender = async (r, signal) => {
      const outcome = await reporter(r, signal);
      if (++sends === 1) stand.lose(); // the store crashes right after its acknowledgement
      return outcome;
    };
    const { outbox, sleeps, loop, counter } = delivery(send, { confirmMs: 3_000 });
    await outbox.add(report('m1'));
    loop.start();
    await loop.drain();
    // Acknowledged, lost, applied again by the confirmation (a new window), then all duplicates.
    expect(stand.received).toEqual(['m1', 'm1', 'm1']);
    expect(sleeps).toEqual([3_000, 3_000]);
    expect(stand.count('m1')).toBe(true);
    expect(outbox.pending).toBe(0);
    expect(await counters(counter)).toEqual({ delivered: 1, confirmations: 2, reapplied: 1 });
  });

  it('forgets a report at once when the answer says it is durable, or when the window is 0', async () => {
    for (const [durable, confirmMs] of [
      [true, 3_000],
      [false, 0],
    ] as const) {
      const stand = await countingLobby(durable);
      const { outbox, sleeps, loop, counter } = delivery(
        lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }),
        { confirmMs },
      );
      await outbox.add(report('m1'));
      loop.start();
      await loop.drain();
      expect(stand.received).toEqual(['m1']);
      expect(sleeps).toEqual([]);
      expect(await counters(counter)).toEqual({ delivered: 1, confirmations: 0, reapplied: 0 });
      await loop.stop();
      server?.close();
    }
  });

  it('sends new reports while others wait out their window', async () => {
    const stand = await countingLobby(false);
    const { outbox, loop } = delivery(lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY }), {
      // The window never ends while this test looks.
      sleep: (_ms, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
    });
    await outbox.add(report('m1'));
    loop.start();
    await vi.waitFor(() => expect(outbox.unconfirmed(Number.MAX_SAFE_INTEGER, 10)).toHaveLength(1));
    await outbox.add(report('m2'));
    loop.wake();
    await vi.waitFor(() => expect(outbox.unconfirmed(Number.MAX_SAFE_INTEGER, 10)).toHaveLength(2));
    expect(stand.received).toEqual(['m1', 'm2']);
    expect(outbox.oldest(10)).toEqual([]);
    expect(outbox.pending).toBe(2);
  });

  it('a node stopped within the window sends the confirmation after its restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickforge-confirm-'));
    try {
      const stand = await countingLobby(false);
      const reporter = lobbyReporter({ lobbyUrl: stand.url, serverKey: SERVER_KEY });
      const first = MatchOutbox.open(dir);
      const before = delivery(reporter, {
        outbox: first,
        sleep: (_ms, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
      });
      await first.add(report('m1'));
      before.loop.start();
      await vi.waitFor(() => expect(first.unconfirmed(Number.MAX_SAFE_INTEGER, 10)).toHaveLength(1));
      await before.loop.stop();
      await first.close();
      stand.lose(); // and the store lost it meanwhile

      const second = MatchOutbox.open(dir);
      const [kept] = second.unconfirmed(Number.MAX_SAFE_INTEGER, 10);
      expect(kept?.report.matchId).toBe('m1');
      const after = delivery(reporter, { outbox: second, confirmMs: 3_000 });
      after.clock.now = kept!.ackedAt! + 3_000; // the window ran out while the node was down
      after.loop.start();
      await after.loop.drain();
      expect(stand.received).toEqual(['m1', 'm1', 'm1']); // sent, confirmed (re-applied), confirmed
      expect(after.sleeps).toEqual([3_000]);
      expect(second.pending).toBe(0);
      expect(await counters(after.counter)).toEqual({ delivered: 0, confirmations: 2, reapplied: 1 });
      await after.loop.stop();
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, capped at an hour', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
