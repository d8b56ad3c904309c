import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The phases of one room tick, each timed separately. */
export type TickPhase = 'input' | 'update' | 'snapshot' | 'send';

/** Reasons a client message or connection was refused; each is counted. */
export const REJECT_REASONS = [
  // caught by the WebSocket library (transport faults)
  'invalid_frame',
  'invalid_utf8',
  'invalid_close_code',
  'message_too_big',
  // caught by the game node
  'text_frame',
  'invalid_msgpack',
  'unknown_type',
  'malformed_message',
  'invalid_input',
  'stale_input',
  'input_rate',
  'input_queue_full',
  'rate_limited_close',
  'slow_consumer',
  'upgrade_refused',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Close codes whose counters start at 0, so a dashboard shows 0 rather than no data. */
const WATCHED_CLOSE_CODES = ['1000', '1001', '1006', '4008', '4009', '4011', '4012'] as const;

/** What became of a finished match's report at the node (see match-results.ts). */
export type MatchEndDisposition = 'queued' | 'empty' | 'dev_room' | 'invalid' | 'not_durable';

/**
 * Why a report delivery is tried again. `misconfigured`: the answer was not the lobby's word on the
 * report (a wrong server key, a lobby URL that reaches something else), so a fixed node delivers it.
 */
export type RetryReason =
  | 'rate_limited'
  | 'unavailable'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'misconfigured';

/**
 * The game node's Prometheus metrics, on a registry of its own (so several nodes can live in one
 * test process). Served at GET /metrics.
 */
export class GameMetrics {
  readonly registry = new Registry();
  readonly tickPhase = new Histogram({
    name: 'tickforge_tick_phase_seconds',
    help: 'Duration of each phase of a room tick',
    labelNames: ['phase'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
    registers: [this.registry],
  });
  readonly tickDuration = new Histogram({
    name: 'tickforge_tick_seconds',
    help: 'Duration of a whole room tick',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly ticks = new Counter({
    name: 'tickforge_ticks_total',
    help: 'Room ticks run',
    registers: [this.registry],
  });
  readonly overruns = new Counter({
    name: 'tickforge_tick_overruns_total',
    help: 'Ticks that took longer than their period',
    registers: [this.registry],
  });
  readonly slipped = new Counter({
    name: 'tickforge_ticks_slipped_total',
    help: 'Ticks skipped because the process fell behind more than the catch-up cap',
    registers: [this.registry],
  });
  readonly hookErrors = new Counter({
    name: 'tickforge_room_hook_errors_total',
    help: 'Exceptions thrown by room hooks',
    labelNames: ['hook'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'tickforge_rejected_total',
    help: 'Client messages or connections refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly closes = new Counter({
    name: 'tickforge_socket_closes_total',
    help: 'WebSocket closes by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly bytesSent = new Counter({
    name: 'tickforge_state_bytes_sent_total',
    help: 'Bytes of state frames sent',
    registers: [this.registry],
  });
  readonly framesSent = new Counter({
    name: 'tickforge_state_frames_sent_total',
    help: 'State frames sent, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly skippedSends = new Counter({
    name: 'tickforge_state_sends_skipped_total',
    help: 'State sends skipped because the client was over its buffer bound',
    registers: [this.registry],
  });
  readonly rooms = new Gauge({ name: 'tickforge_rooms', help: 'Live rooms', registers: [this.registry] });
  readonly players = new Gauge({
    name: 'tickforge_players',
    help: 'Seated players',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly matchEnds = new Counter({
    name: 'tickforge_match_ends_total',
    help: 'Matches ended, by what became of their report (queued, empty, dev_room, invalid, not_durable)',
    labelNames: ['disposition'] as const,
    registers: [this.registry],
  });
  readonly reportsPending = new Gauge({
    name: 'tickforge_match_reports_pending',
    help: 'Match reports in the outbox: not yet acknowledged by the lobby, or acknowledged and awaiting confirmation',
    registers: [this.registry],
  });
  readonly reportsDelivered = new Counter({
    name: 'tickforge_match_reports_delivered_total',
    help: 'Match reports the lobby acknowledged (2xx)',
    registers: [this.registry],
  });
  readonly reportConfirmations = new Counter({
    name: 'tickforge_match_report_confirmations_total',
    help: 'Confirmation sends the lobby answered, after a window, for acknowledgements its store had not made durable',
    registers: [this.registry],
  });
  readonly reportsReapplied = new Counter({
    name: 'tickforge_match_reports_reapplied_total',
    help: "Match reports the lobby's store lost after acknowledging them, applied again by the confirmation send",
    registers: [this.registry],
  });
  readonly reportRetries = new Counter({
    name: 'tickforge_match_report_retries_total',
    help: 'Failed report deliveries that will be tried again, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly reportsDeadLettered = new Counter({
    name: 'tickforge_match_reports_dead_lettered_total',
    help: 'Match reports moved to the dead-letter table, by reason (refused by the lobby, invalid)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly reportsDeadLetters = new Gauge({
    name: 'tickforge_match_reports_dead_letters',
    help: 'Match reports kept in the dead-letter table for an operator',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    // Known label values are exported from the start (at 0): "no refusals yet" is data, not a gap.
    for (const reason of REJECT_REASONS) this.rejected.labels(reason).inc(0);
    for (const code of WATCHED_CLOSE_CODES) this.closes.labels(code).inc(0);
    for (const phase of ['input', 'update', 'snapshot', 'send'] as const) this.tickPhase.labels(phase);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
