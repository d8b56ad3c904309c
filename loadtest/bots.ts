/**
 * Bot load tool: many Node bots on the game client SDK, each holding a seat in a room, moving most
 * of the time, sending inputs at a fixed rate and timing input -> ack. Usable as a CLI (see USAGE)
 * and as a module (runBots).
 *
 * A run: ramp connections up at --ramp per second, wait --warmup seconds, then measure for
 * --duration seconds, close every socket and report. Only the measurement window is reported, so
 * the join wave is not what gets measured.
 */
import { createHistogram, monitorEventLoopDelay, type RecordableHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocket as WsSocket } from 'ws';
import { GameClient } from '../shared/client/game-client.ts';
import { encodeMessage } from '../shared/protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL } from '../shared/protocol/codes.ts';

/** What one run does. */
export interface BotRunOptions {
  /** Base HTTP URL of the game node (it must serve POST /dev/seats). */
  readonly url: string;
  readonly clients: number;
  /** Consecutive bots per room. */
  readonly roomSize: number;
  /** Measured seconds, after the ramp and the warmup. */
  readonly durationSeconds: number;
  /** Seconds between the last connection and the start of the measurement. */
  readonly warmupSeconds: number;
  readonly mode: string;
  /** Inputs per second per bot. */
  readonly inputRate: number;
  /** New connections per second. */
  readonly rampPerSecond: number;
  /** Count bytes and messages only: no SDK, no decoding (for the floor server). */
  readonly raw: boolean;
  /** Options for rooms the bots create (arena: matchSeconds). */
  readonly roomOptions: Readonly<Record<string, unknown>>;
  /** Room ids are `bots-<runId>-<k>`. */
  readonly runId: string;
}

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

/** Told about phases and progress while a run goes on. */
export interface BotRunHooks {
  onPhase?(phase: 'ramp' | 'warmup' | 'measure-start' | 'measure-end' | 'closing'): void;
  /** Every `intervalSeconds`, counters since the previous call. */
  onProgress?(report: WindowReport): void;
  readonly intervalSeconds?: number;
  /** Abort stops the run early; the report covers what was measured. */
  readonly signal?: AbortSignal;
}

/** The ws package as the SDK's WebSocket, without permessage-deflate (the servers do not compress). */
function botWebSocket(onError: (error: Error) => void): typeof globalThis.WebSocket {
  // ws emits 'error' as a Node event and throws when nobody listens (the SDK only listens to
  // 'close', which follows): a refused upgrade or a reset must be counted, not crash the bots.
  class BotWebSocket extends WsSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: false, skipUTF8Validation: true });
      this.on('error', onError);
    }
  }
  return BotWebSocket as unknown as typeof globalThis.WebSocket;
}

interface SeatGrant {
  readonly url: string;
  readonly seat: string;
  readonly roomId: string;
}

/** Samples input -> ack latency in microseconds. */
const newHistogram = (): RecordableHistogram =>
  createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });

/** One bot: a seat, a socket, a direction, and the send times of inputs not yet acked. */
class Bot {
  readonly index: number;
  connectedAt = -1;
  closedAt = -1;
  bytes = 0;
  messages = 0;
  states = 0;
  inputs = 0;
  #seq = 0;
  #dx = 0;
  #dy = 0;
  #turnAt = 0;
  #client: GameClient | undefined;
  #raw: WsSocket | undefined;
  /** Send times of inputs seq `#pendingFrom`... (a queue; seqs only grow). */
  readonly #pending: number[] = [];
  #pendingHead = 0;
  #pendingFrom = 1;
  readonly #run: BotRun;

  constructor(index: number, run: BotRun) {
    this.index = index;
    this.#run = run;
  }

  get open(): boolean {
    return this.connectedAt >= 0 && this.closedAt < 0;
  }

  async connect(grant: SeatGrant): Promise<void> {
    if (this.#run.options.raw) return this.#connectRaw(grant);
    let socketError: string | undefined;
    const WebSocket = botWebSocket((error) => {
      if (this.open) this.#run.error('socket', error.message);
      else socketError = error.message;
    });
    let client: GameClient;
    try {
      client = await GameClient.connect({ url: grant.url, seat: grant.seat, WebSocket, pingIntervalMs: 0 });
    } catch (error) {
      // "Unexpected server response: 401" says more than the SDK's "closed before welcome (1006)".
      throw socketError === undefined ? error : new Error(socketError);
    }
    this.#client = client;
    this.connectedAt = performance.now();
    // The WELCOME was counted by the SDK; our counters start after it.
    client.on('state', (state) => {
      this.states++;
      this.#acked(state.ackSeq);
    });
    client.on('error', (error) => this.#run.error(`server ${error.code}`, error.message));
    client.on('close', ({ code }) => this.#closed(code));
  }

  #connectRaw(grant: SeatGrant): Promise<void> {
    const url = `${grant.url}${grant.url.includes('?') ? '&' : '?'}seat=${encodeURIComponent(grant.seat)}`;
    const socket = new WsSocket(url, [SUBPROTOCOL], { perMessageDeflate: false, skipUTF8Validation: true });
    this.#raw = socket;
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        this.connectedAt = performance.now();
        socket.on('message', (data: Buffer) => {
          this.bytes += data.byteLength;
          this.messages++;
        });
        socket.on('close', (code: number) => this.#closed(code));
        resolve();
      });
      socket.once('error', (error) => {
        if (this.connectedAt < 0) reject(error);
        else this.#run.error('socket', error.message);
      });
    });
  }

  /** Counters as the SDK keeps them (raw mode keeps its own). */
  totals(): { bytes: number; messages: number; states: number } {
    const stats = this.#client?.stats;
    if (!stats) return { bytes: this.bytes, messages: this.messages, states: this.messages };
    return { bytes: stats.bytesReceived, messages: stats.messagesReceived, states: this.states };
  }

  /** Send one input, turning to a new direction about once a second (standing still 1 time in 8). */
  sendInput(now: number): void {
    if (!this.open) return;
    if (now >= this.#turnAt) {
      this.#turnAt = now + 800 + Math.random() * 400;
      if (Math.random() < 0.125) {
        this.#dx = 0;
        this.#dy = 0;
      } else {
        const angle = Math.random() * 2 * Math.PI;
        this.#dx = Math.round(Math.cos(angle) * 1000) / 1000;
        this.#dy = Math.round(Math.sin(angle) * 1000) / 1000;
      }
    }
    const input = { dx: this.#dx, dy: this.#dy };
    if (this.#client) {
      this.#client.sendInput(input);
    } else if (this.#raw?.readyState === WsSocket.OPEN) {
      this.#raw.send(encodeMessage([MessageType.INPUT, ++this.#seq, input]));
    } else {
      return;
    }
    this.#pending.push(now);
    this.inputs++;
  }

  /** The first state acking seq N times input N (and every earlier one still pending). */
  #acked(ackSeq: number): void {
    if (ackSeq < this.#pendingFrom) return;
    const now = performance.now();
    const pending = this.#pending;
    while (this.#pendingFrom <= ackSeq && this.#pendingHead < pending.length) {
      this.#run.recordAck(now - pending[this.#pendingHead++]!);
      this.#pendingFrom++;
    }
    if (this.#pendingHead > 1024) {
      pending.splice(0, this.#pendingHead);
      this.#pendingHead = 0;
    }
  }

  #closed(code: number): void {
    this.closedAt = performance.now();
    if (!this.#run.closing) this.#run.disconnect(code);
  }

  close(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => {
      const done = setTimeout(resolve, 2000);
      const finish = () => {
        clearTimeout(done);
        resolve();
      };
      if (this.#client) {
        this.#client.once('close', finish);
        this.#client.close(CloseCode.NORMAL, 'bot done');
      } else if (this.#raw) {
        this.#raw.once('close', finish);
        this.#raw.close(CloseCode.NORMAL, 'bot done');
      }
    });
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Everything one run shares: its bots, counters, histograms and the input clock. */
class BotRun {
  readonly options: BotRunOptions;
  readonly bots: Bot[] = [];
  readonly disconnects = new Map<string, number>();
  readonly errors = new Map<string, number>();
  closing = false;
  inputsSkipped = 0;
  readonly #window = newHistogram();
  readonly #interval = newHistogram();
  #inputTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: BotRunOptions) {
    this.options = options;
  }

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

  get connected(): number {
    let n = 0;
    for (const bot of this.bots) if (bot.open) n++;
    return n;
  }

  async seat(index: number): Promise<SeatGrant> {
    const { url, mode, roomSize, runId, roomOptions } = this.options;
    const response = await fetch(new URL('/dev/seats', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mode,
        roomId: `bots-${runId}-${Math.floor(index / roomSize)}`,
        name: `bot-${index}`,
        options: roomOptions,
      }),
    });
    const text = await response.text();
    if (response.status !== 201)
      throw new Error(`POST /dev/seats: HTTP ${response.status} ${text.slice(0, 120)}`);
    const body = JSON.parse(text) as Partial<SeatGrant>;
    if (typeof body.url !== 'string' || typeof body.seat !== 'string' || typeof body.roomId !== 'string') {
      throw new Error('POST /dev/seats: response lacks url, seat or roomId');
    }
    return body as SeatGrant;
  }

  /**
   * One timer for every bot's inputs: the period is split into slots and each wake-up sends for one
   * slot's bots, so sends are spread evenly. Due times come from the origin, so there is no drift;
   * a wake-up late by more than a whole period skips the missed slots and counts them.
   */
  startInputs(): void {
    const slots = 10;
    const slotMs = 1000 / this.options.inputRate / slots;
    const origin = performance.now();
    let k = 0;
    const wake = () => {
      const now = performance.now();
      const due = Math.floor((now - origin) / slotMs);
      if (due - k > slots) {
        this.inputsSkipped += Math.round(((due - k - slots) * this.bots.length) / slots);
        k = due - slots;
      }
      for (; k <= due; k++) {
        const slot = k % slots;
        for (let i = slot; i < this.bots.length; i += slots) this.bots[i]!.sendInput(now);
      }
      this.#inputTimer = setTimeout(wake, Math.max(0, origin + k * slotMs - performance.now()));
    };
    this.#inputTimer = setTimeout(wake, slotMs);
  }

  stopInputs(): void {
    clearTimeout(this.#inputTimer);
  }

  /** Counters summed over every bot. */
  totals(): { at: number; bytes: number; messages: number; states: number; inputs: number } {
    let bytes = 0;
    let messages = 0;
    let states = 0;
    let inputs = 0;
    for (const bot of this.bots) {
      const t = bot.totals();
      bytes += t.bytes;
      messages += t.messages;
      states += t.states;
      inputs += bot.inputs;
    }
    return { at: performance.now(), bytes, messages, states, inputs };
  }

  /** Connected time of every bot inside [from, to], in seconds. */
  clientSeconds(from: number, to: number): number {
    let ms = 0;
    for (const bot of this.bots) {
      if (bot.connectedAt < 0) continue;
      const end = bot.closedAt < 0 ? to : Math.min(bot.closedAt, to);
      ms += Math.max(0, end - Math.max(from, bot.connectedAt));
    }
    return ms / 1000;
  }

  window(
    from: ReturnType<BotRun['totals']>,
    to: ReturnType<BotRun['totals']>,
    which: 'window' | 'interval',
  ): WindowReport {
    const histogram = which === 'window' ? this.#window : this.#interval;
    const clientSeconds = this.clientSeconds(from.at, to.at);
    const per = (n: number) => (clientSeconds > 0 ? n / clientSeconds : 0);
    const samples = histogram.count;
    const ms = (us: number) => (samples > 0 ? Math.round(us) / 1000 : null);
    const messages = to.messages - from.messages;
    const report: WindowReport = {
      seconds: (to.at - from.at) / 1000,
      connected: this.connected,
      clientSeconds,
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

  resetWindow(): void {
    this.#window.reset();
  }
}

const LOOP_DELAY_RESOLUTION_MS = 10;

/** Run bots against a game node (or the floor server) and report the measurement window. */
export async function runBots(options: BotRunOptions, hooks: BotRunHooks = {}): Promise<BotReport> {
  const run = new BotRun(options);
  const { signal } = hooks;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  let last = run.totals();
  const progress =
    hooks.onProgress && (hooks.intervalSeconds ?? 0) > 0
      ? setInterval(() => {
          const now = run.totals();
          hooks.onProgress?.(run.window(last, now, 'interval'));
          last = now;
        }, hooks.intervalSeconds! * 1000)
      : undefined;

  // Ramp: one bot every 1/rampPerSecond s, each connecting on its own; the inputs start at once,
  // so early rooms are already busy while later bots join.
  hooks.onPhase?.('ramp');
  const rampStart = performance.now();
  run.startInputs();
  const joins: Promise<void>[] = [];
  for (let i = 0; i < options.clients && !signal?.aborted; i++) {
    const bot = new Bot(i, run);
    run.bots.push(bot);
    joins.push(
      run.seat(i).then(
        (grant) => bot.connect(grant).catch((error: unknown) => run.error('connect', messageOf(error))),
        (error: unknown) => run.error('seat', messageOf(error)),
      ),
    );
    const nextAt = rampStart + ((i + 1) * 1000) / options.rampPerSecond;
    const wait = nextAt - performance.now();
    if (wait > 1) await sleep(wait, signal);
  }
  await Promise.race([Promise.all(joins), sleep(30_000, signal)]);
  const rampSeconds = (performance.now() - rampStart) / 1000;
  const connectedPeak = run.connected;
  if (connectedPeak === 0 && !signal?.aborted) {
    run.stopInputs();
    clearInterval(progress);
    const [first] = run.errors.keys();
    throw new Error(`no bot could connect to ${options.url}${first ? `: ${first}` : ''}`);
  }

  hooks.onPhase?.('warmup');
  await sleep(options.warmupSeconds * 1000, signal);

  hooks.onPhase?.('measure-start');
  run.resetWindow();
  loopDelay.enable();
  const cpuFrom = process.cpuUsage();
  const from = run.totals();
  await sleep(options.durationSeconds * 1000, signal);
  const to = run.totals();
  const cpu = process.cpuUsage(cpuFrom);
  loopDelay.disable();
  hooks.onPhase?.('measure-end');
  const window = run.window(from, to, 'window');

  hooks.onPhase?.('closing');
  run.closing = true;
  run.stopInputs();
  clearInterval(progress);
  await Promise.all(run.bots.map((bot) => bot.close()));

  const seconds = window.seconds > 0 ? window.seconds : 1;
  return {
    ...window,
    options,
    requested: options.clients,
    connectedPeak,
    rampSeconds,
    disconnects: Object.fromEntries(run.disconnects),
    errors: Object.fromEntries(run.errors),
    botCpuMsPerSecond: (cpu.user + cpu.system) / 1000 / seconds,
    // The histogram includes the sampling timer's own period: only the excess is lag.
    botLoopDelayP99Ms:
      loopDelay.count > 0 ? Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
    inputsSkipped: run.inputsSkipped,
  };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

// ---------------------------------------------------------------------------------------------
// CLI

/** What `npm start` serves. */
const DEFAULT_URL = 'http://127.0.0.1:2567';

const USAGE = `usage: npm run bots -- [--url http://127.0.0.1:2567] [options]

  --url URL            game node base URL (serves POST /dev/seats)     (default ${DEFAULT_URL})
  --clients N          bots to connect                                  (default 32)
  --room-size N        consecutive bots per room                        (default 16)
  --duration S         measured seconds, after ramp and warmup          (default 30)
  --warmup S           seconds between the last join and measuring      (default 2)
  --mode NAME          game mode                                        (default arena)
  --input-rate HZ      inputs per second per bot                        (default 20)
  --ramp N             new connections per second                       (default 200)
  --match-seconds S    matchSeconds option for rooms the bots create    (default 3600)
  --run-id ID          room ids are bots-<ID>-<k>                       (default: time-based)
  --raw                count bytes and messages only, no SDK decoding (floor server)
  --json               NDJSON on stdout: {"type":"phase",...} lines, then one {"type":"report",...}
  --help`;

/** Thrown for a bad command line; the CLI prints the message and the usage. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positive(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return n;
}

const ARG_OPTIONS = {
  url: { type: 'string' },
  clients: { type: 'string' },
  'room-size': { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  mode: { type: 'string' },
  'input-rate': { type: 'string' },
  ramp: { type: 'string' },
  'match-seconds': { type: 'string' },
  'run-id': { type: 'string' },
  raw: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parse a command line into run options (throws UsageError). */
export function parseBotArgs(
  args: readonly string[],
):
  | { readonly help: true }
  | { readonly help: false; readonly options: BotRunOptions; readonly json: boolean } {
  let values: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    values = parseArgs({
      args: [...args],
      options: ARG_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  if (values.help) return { help: true };
  const base = values.url ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL (the node's dev seat endpoint), got "${base}"`);
  }
  const mode = values.mode ?? 'arena';
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(mode))
    throw new UsageError(`--mode must be a mode name like "arena", got "${mode}"`);
  const runId = values['run-id'] ?? Date.now().toString(36);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(runId)) throw new UsageError('--run-id must be 1-32 of [A-Za-z0-9_-]');
  const warmup = values.warmup === undefined ? 2 : Number(values.warmup);
  if (!Number.isFinite(warmup) || warmup < 0)
    throw new UsageError(`--warmup must be >= 0, got "${values.warmup}"`);
  const options: BotRunOptions = {
    url: url.origin,
    clients: positive('clients', values.clients, 32, true),
    roomSize: positive('room-size', values['room-size'], 16, true),
    durationSeconds: positive('duration', values.duration, 30, false),
    warmupSeconds: warmup,
    mode,
    inputRate: positive('input-rate', values['input-rate'], 20, false),
    rampPerSecond: positive('ramp', values.ramp, 200, false),
    raw: values.raw ?? false,
    roomOptions: { matchSeconds: positive('match-seconds', values['match-seconds'], 3600, false) },
    runId,
  };
  return { help: false, options, json: values.json ?? false };
}

const fmt = (n: number | null, digits = 1) => (n === null ? '-' : n.toFixed(digits));

function progressLine(r: WindowReport): string {
  return (
    `connected ${r.connected}  states/client-s ${fmt(r.statesPerClientSecond)}  ` +
    `bytes/client-s ${fmt(r.bytesPerClientSecond, 0)}  input->ack p50 ${fmt(r.ackP50Ms)} ms p99 ${fmt(r.ackP99Ms)} ms`
  );
}

function summary(r: BotReport): string {
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

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseBotArgs>;
  try {
    parsed = parseBotArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bots: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options, json } = parsed;
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  if (!json) {
    console.log(
      `bots: ${options.clients} ${options.raw ? 'raw ' : ''}clients -> ${options.url}, rooms of ${options.roomSize}, ` +
        `ramp ${options.rampPerSecond}/s, warmup ${options.warmupSeconds} s, measuring ${options.durationSeconds} s`,
    );
  }
  const report = await runBots(options, {
    signal: abort.signal,
    intervalSeconds: json ? 0 : 5,
    onProgress: (r) => console.log(`[${elapsed()} s] ${progressLine(r)}`),
    onPhase: (phase) =>
      json ? emit({ type: 'phase', phase, t: performance.now() }) : console.log(`[${elapsed()} s] ${phase}`),
  });
  if (json) emit({ type: 'report', ...report });
  else console.log(summary(report));
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bots: ${messageOf(error)}`);
      process.exit(1);
    },
  );
}
