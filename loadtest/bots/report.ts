/**
 * The result of a bot run, and how the CLI prints it (a progress line per interval, a summary at the
 * end). The game benchmark reads the same report as JSON (`--json`).
 */
import type { BotRunOptions } from './run.ts';
import type { WindowReport } from './stats.ts';

/** The result of a run. */
export interface BotReport extends WindowReport {
  readonly options: BotRunOptions;
  readonly requested: number;
  readonly connectedPeak: number;
  /** Seconds the ramp took (first seat request to last connection settled). */
  readonly rampSeconds: number;
  /** Closes not caused by the bots themselves, by close code. */
  readonly disconnects: Record<string, number>;
  /** Failures by kind and message (seat requests, connects, server ERROR messages). */
  readonly errors: Record<string, number>;
  /** The bots' own CPU over the window, in ms per second (1000 = one core saturated). */
  readonly botCpuMsPerSecond: number;
  /** Event-loop delay of the bot process over the window; a high p99 means the bots lagged. */
  readonly botLoopDelayP99Ms: number;
  /** Inputs not sent on time because the bot process was late by a whole period. */
  readonly inputsSkipped: number;
}

const fmt = (n: number | null, digits = 1) => (n === null ? '-' : n.toFixed(digits));

/** One line per progress interval. */
export function progressLine(r: WindowReport): string {
  return (
    `connected ${r.connected}  states/client-s ${fmt(r.statesPerClientSecond)}  ` +
    `bytes/client-s ${fmt(r.bytesPerClientSecond, 0)}  input->ack p50 ${fmt(r.ackP50Ms)} ms p99 ${fmt(r.ackP99Ms)} ms`
  );
}

/** The end-of-run summary. */
export function summary(r: BotReport): string {
  const lines = [
    `bots: ${r.connectedPeak}/${r.requested} connected after a ${r.rampSeconds.toFixed(1)} s ramp, ${r.connected} at the end`,
    `window: ${r.seconds.toFixed(1)} s, ${r.clientSeconds.toFixed(0)} client-seconds`,
    `states per client-second: ${fmt(r.statesPerClientSecond, 2)}  (messages ${fmt(r.messagesPerClientSecond, 2)})`,
    `bytes per client-second: ${fmt(r.bytesPerClientSecond, 0)}  (mean message ${fmt(r.meanMessageBytes, 1)} B)`,
    `inputs per client-second: ${fmt(r.inputsPerClientSecond, 2)}  (skipped ${r.inputsSkipped})`,
    r.options.raw
      ? 'input->ack: not measured in --raw mode'
      : `input->ack: p50 ${fmt(r.ackP50Ms, 2)} ms, p99 ${fmt(r.ackP99Ms, 2)} ms, max ${fmt(r.ackMaxMs, 2)} ms (${r.ackSamples} samples)`,
    `bot process: ${fmt(r.botCpuMsPerSecond / 10, 0)}% of a core, event-loop delay p99 ${fmt(r.botLoopDelayP99Ms, 1)} ms`,
    `disconnects: ${JSON.stringify(r.disconnects)}`,
    `errors: ${JSON.stringify(r.errors)}`,
  ];
  return lines.join('\n');
}
