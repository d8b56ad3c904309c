/**
 * The lobby's Prometheus metrics, on a registry of its own (several lobbies can live in one test
 * process). Served at GET /metrics. Every label is bounded: route templates (never raw URLs),
 * methods, status codes, store areas and methods, budgets, and the configured modes and regions.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: a lobby answer is a few ms; a slow store call or a cold start can take a second. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Seconds a ticket waits for its match: from a quick fill to a whole ticket lifetime. */
const WAIT_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** Requests whose path matched no route share one label, whatever the URL was. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Distinct regions given their own label; clients name regions, so later ones share `other`. */
export const MAX_REGION_LABELS = 16;

/** What the queue gauges read at scrape time. */
export interface QueueSnapshot {
  readonly mode: string;
  readonly region: string;
  readonly createdAt: number;
}

export class LobbyMetrics {
  readonly registry = new Registry();
  readonly #regions = new Set<string>();
  readonly #seenQueues = new Map<string, { readonly mode: string; readonly region: string }>();
  #queues: (() => Promise<readonly QueueSnapshot[]>) | undefined;
  #now: () => number = Date.now;
  /** The read under way: both queue gauges of one scrape share it (they are collected concurrently). */
  #reading: Promise<void> | undefined;
  readonly requests = new Counter({
    name: 'tickforge_lobby_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'tickforge_lobby_request_seconds',
    help: 'Time to answer an HTTP request (to the first byte of a stream), by route template and method',
    labelNames: ['route', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'tickforge_lobby_matchmaking_queue_tickets',
    help: 'Searching matchmaking tickets, by mode and region (read from the store at scrape time)',
    labelNames: ['mode', 'region'] as const,
    registers: [this.registry],
    collect: () => this.#readQueuesOnce(),
  });
  readonly queueOldest = new Gauge({
    name: 'tickforge_lobby_matchmaking_oldest_wait_seconds',
    help: 'How long the oldest searching ticket has waited, by mode and region',
    labelNames: ['mode', 'region'] as const,
    registers: [this.registry],
    collect: () => this.#readQueuesOnce(),
  });
  readonly matchWait = new Histogram({
    name: 'tickforge_lobby_matchmaking_wait_seconds',
    help: 'Time from a ticket being queued to its match, by mode and region',
    labelNames: ['mode', 'region'] as const,
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly matchesFormed = new Counter({
    name: 'tickforge_lobby_matches_formed_total',
    help: 'Matches formed by matchmaking, by mode and region',
    labelNames: ['mode', 'region'] as const,
    registers: [this.registry],
  });
  readonly ticketsEnded = new Counter({
    name: 'tickforge_lobby_tickets_ended_total',
    help: 'Tickets that left the queue without a match, by mode, region and outcome (expired, cancelled)',
    labelNames: ['mode', 'region', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly seatPromises = new Counter({
    name: 'tickforge_lobby_seat_promises_total',
    help: 'Seats promised in rooms (one per reserve), by outcome (ok, full, ended, unknown)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly storeSeconds = new Histogram({
    name: 'tickforge_lobby_store_call_seconds',
    help: 'Duration of store calls (embedded or Redis), by area and method',
    labelNames: ['area', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'tickforge_lobby_store_errors_total',
    help: 'Store calls that failed, by area and method',
    labelNames: ['area', 'method'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'tickforge_lobby_rate_limited_total',
    help: 'Requests refused with 429, by budget (ip, player, guest, ticket-streams, ...)',
    labelNames: ['budget'] as const,
    registers: [this.registry],
  });
  readonly sseStreams = new Gauge({
    name: 'tickforge_lobby_sse_streams',
    help: 'Open ticket event streams (SSE)',
    registers: [this.registry],
  });
  readonly matchReports = new Counter({
    name: 'tickforge_lobby_match_reports_total',
    help: 'Match reports from game nodes, by outcome (received, refused) and status',
    labelNames: ['outcome', 'status'] as const,
    registers: [this.registry],
  });
  readonly adminActions = new Counter({
    name: 'tickforge_lobby_admin_actions_total',
    help: 'Operator actions through the admin API, by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    // Known label values are exported from the start (at 0): "none yet" is data, not a gap.
    for (const budget of ['ip', 'player', 'guest', 'ticket-streams', 'admin-sign-in'])
      this.rateLimited.labels(budget).inc(0);
    for (const outcome of ['ok', 'full', 'ended', 'unknown']) this.seatPromises.labels(outcome).inc(0);
  }

  /**
   * Read the searching tickets at every scrape (the matchmaking queue gauges). The default region
   * of each of `modes` is exported from the start, at 0 while nobody waits there.
   */
  watchQueues(
    searching: () => Promise<readonly QueueSnapshot[]>,
    now: () => number,
    modes: readonly string[] = [],
  ): void {
    this.#queues = searching;
    this.#now = now;
    for (const mode of modes) this.#seenQueues.set(`${mode}\u0000default`, { mode, region: 'default' });
  }

  /** The label of a client-named region: itself while few are known, then `other`. */
  region(region: string): string {
    if (this.#regions.has(region)) return region;
    if (this.#regions.size >= MAX_REGION_LABELS) return 'other';
    this.#regions.add(region);
    return region;
  }

  #readQueuesOnce(): Promise<void> {
    this.#reading ??= this.#readQueues().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** Queues seen once stay at 0 when empty, so a dashboard shows 0 rather than no data. */
  async #readQueues(): Promise<void> {
    if (!this.#queues) return;
    const tickets = await this.#queues();
    const now = this.#now();
    const depth = new Map<string, { mode: string; region: string; count: number; oldest: number }>();
    for (const ticket of tickets) {
      const region = this.region(ticket.region);
      const key = `${ticket.mode}\u0000${region}`;
      const queue = depth.get(key) ?? { mode: ticket.mode, region, count: 0, oldest: now };
      queue.count++;
      queue.oldest = Math.min(queue.oldest, ticket.createdAt);
      depth.set(key, queue);
    }
    for (const [key, { mode, region }] of this.#seenQueues) {
      if (depth.has(key)) continue;
      this.queueDepth.labels(mode, region).set(0);
      this.queueOldest.labels(mode, region).set(0);
    }
    for (const [key, { mode, region, count, oldest }] of depth) {
      this.#seenQueues.set(key, { mode, region });
      this.queueDepth.labels(mode, region).set(count);
      this.queueOldest.labels(mode, region).set(Math.max(0, now - oldest) / 1000);
    }
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
