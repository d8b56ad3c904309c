/**
 * What bench/lean-bots.ts needs from its players, whoever runs them: in this process
 * (NodeFleet, bench/lean/raw-client.ts) or in the C generator (bench/lean/native-fleet.ts).
 */
import { createHistogram } from 'node:perf_hooks';
import { startInputClock } from '../../loadtest/bots/input-clock.ts';
import { type AckMode, LeanClient, type LeanTotals } from './raw-client.ts';

/** Counters since the fleet started; input->ack since the previous mark. */
export interface FleetMark {
  readonly states: number;
  readonly messages: number;
  readonly bytes: number;
  readonly inputs: number;
  readonly inputsSkipped: number;
  /** Players connected now. */
  readonly open: number;
  readonly ackSamples: number;
  readonly ackP50Ms: number | null;
  readonly ackP99Ms: number | null;
  readonly ackMaxMs: number | null;
  /** Closes the players did not ask for, by close code. */
  readonly disconnects: Record<string, number>;
  /** CPU time (user + system, ms) of processes the fleet runs besides this one. */
  readonly helperCpuMs: number;
}

export interface Fleet {
  /** Connect one player (inputs start at once); resolves once it plays, rejects if it cannot. */
  join(port: number, path: string): Promise<void>;
  /** The counters, and input->ack since the previous mark (which restarts it). */
  mark(): Promise<FleetMark>;
  close(): void;
}

/** The players as LeanClients in this process, one input clock for all. */
export class NodeFleet implements Fleet {
  readonly #players: LeanClient[] = [];
  readonly #ackUs = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
  readonly #disconnects: Record<string, number> = {};
  readonly #totals: LeanTotals = {
    states: 0,
    messages: 0,
    bytes: 0,
    inputs: 0,
    ack: (ms) => this.#ackUs.record(Math.max(1, Math.round(ms * 1000))),
    closed: (code) => {
      this.#disconnects[code] = (this.#disconnects[code] ?? 0) + 1;
    },
  };
  #skipped = 0;
  readonly #stopInputs: () => void;

  readonly #protocol: string;
  readonly #frames: readonly Buffer[];
  readonly #ackMode: AckMode;
  readonly #random: () => number;

  constructor(
    protocol: string,
    frames: readonly Buffer[],
    ackMode: AckMode,
    random: () => number,
    inputRate: number,
  ) {
    this.#protocol = protocol;
    this.#frames = frames;
    this.#ackMode = ackMode;
    this.#random = random;
    this.#stopInputs = startInputClock(this.#players, inputRate, (n) => {
      this.#skipped += n;
    });
  }

  join(port: number, path: string): Promise<void> {
    // Each client keeps its own copies of the frames: their seq bytes are patched per send.
    const own = this.#frames.map((f) => Buffer.from(f));
    const client = new LeanClient(port, path, this.#protocol, own, this.#totals, this.#ackMode, this.#random);
    this.#players.push(client);
    return client.ready;
  }

  mark(): Promise<FleetMark> {
    const h = this.#ackUs;
    const ms = (us: number) => (h.count > 0 ? us / 1000 : null);
    const { states, messages, bytes, inputs } = this.#totals;
    const mark: FleetMark = {
      states,
      messages,
      bytes,
      inputs,
      inputsSkipped: this.#skipped,
      open: this.#players.filter((p) => p.open).length,
      ackSamples: h.count,
      ackP50Ms: ms(h.percentile(50)),
      ackP99Ms: ms(h.percentile(99)),
      ackMaxMs: ms(h.max),
      disconnects: { ...this.#disconnects },
      helperCpuMs: 0,
    };
    h.reset();
    return Promise.resolve(mark);
  }

  close(): void {
    this.#stopInputs();
    for (const p of this.#players) p.close();
  }
}
