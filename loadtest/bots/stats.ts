/**
 * What a bot run measures: input -> ack histograms, disconnects and errors by kind, and per
 * client-second rates over a window (the measurement, or one progress interval).
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { Bot } from './bot.ts';

/** Counters over one window (the measurement, or one progress interval). */
export interface WindowReport {
  readonly seconds: number;
  /** Connected bots at the end of the window. */
  readonly connected: number;
  readonly clientSeconds: number;
  readonly statesPerClientSecond: number;
  readonly messagesPerClientSecond: number;
  /** Payload bytes received (WebSocket message bodies). */
  readonly bytesPerClientSecond: number;
  /** Mean payload bytes of a received message. */
  readonly meanMessageBytes: number;
  readonly inputsPerClientSecond: number;
  readonly ackP50Ms: number | null;
  readonly ackP99Ms: number | null;
  readonly ackMaxMs: number | null;
  readonly ackSamples: number;
}

/** Counters summed over every bot at one moment. */
export interface Totals {
  readonly at: number;
  readonly bytes: number;
  readonly messages: number;
  readonly states: number;
  readonly inputs: number;
}

/** Samples input -> ack latency in microseconds. */
const newHistogram = (): RecordableHistogram =>
  createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });

/** Tallies and histograms of one run. */
export class RunStats {
  readonly disconnects = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** The measurement window's acks, and the current progress interval's. */
  readonly #window = newHistogram();
  readonly #interval = newHistogram();

  recordAck(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.#window.record(us);
    this.#interval.record(us);
  }

  disconnect(code: number): void {
    const key = String(code);
    this.disconnects.set(key, (this.disconnects.get(key) ?? 0) + 1);
  }

  error(kind: string, message: string): void {
    const key = `${kind}: ${message}`.slice(0, 160);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  /** Forget the acks recorded so far (the measurement starts). */
  resetWindow(): void {
    this.#window.reset();
  }

  /** Rates between two totals; resets the histogram it reads. */
  window(bots: readonly Bot[], from: Totals, to: Totals, which: 'window' | 'interval'): WindowReport {
    const histogram = which === 'window' ? this.#window : this.#interval;
    const seconds = clientSeconds(bots, from.at, to.at);
    const per = (n: number) => (seconds > 0 ? n / seconds : 0);
    const samples = histogram.count;
    const ms = (us: number) => (samples > 0 ? Math.round(us) / 1000 : null);
    const messages = to.messages - from.messages;
    const report: WindowReport = {
      seconds: (to.at - from.at) / 1000,
      connected: connectedCount(bots),
      clientSeconds: seconds,
      statesPerClientSecond: per(to.states - from.states),
      messagesPerClientSecond: per(messages),
      bytesPerClientSecond: per(to.bytes - from.bytes),
      meanMessageBytes: messages > 0 ? (to.bytes - from.bytes) / messages : 0,
      inputsPerClientSecond: per(to.inputs - from.inputs),
      ackP50Ms: ms(histogram.percentile(50)),
      ackP99Ms: ms(histogram.percentile(99)),
      ackMaxMs: ms(histogram.max),
      ackSamples: samples,
    };
    histogram.reset();
    return report;
  }
}

/** Bots connected now. */
export function connectedCount(bots: readonly Bot[]): number {
  let n = 0;
  for (const bot of bots) if (bot.open) n++;
  return n;
}

/** Counters summed over every bot. */
export function totalsOf(bots: readonly Bot[]): Totals {
  let bytes = 0;
  let messages = 0;
  let states = 0;
  let inputs = 0;
  for (const bot of bots) {
    const t = bot.totals();
    bytes += t.bytes;
    messages += t.messages;
    states += t.states;
    inputs += bot.inputs;
  }
  return { at: performance.now(), bytes, messages, states, inputs };
}

/** Connected time of every bot inside [from, to], in seconds. */
function clientSeconds(bots: readonly Bot[], from: number, to: number): number {
  let ms = 0;
  for (const bot of bots) {
    if (bot.connectedAt < 0) continue;
    const end = bot.closedAt < 0 ? to : Math.min(bot.closedAt, to);
    ms += Math.max(0, end - Math.max(from, bot.connectedAt));
  }
  return ms / 1000;
}
