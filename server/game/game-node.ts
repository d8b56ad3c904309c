/**
 * A game node: the transport (uWebSockets.js, or ws as the fallback), the room registry, the one
 * tick scheduler, and a small HTTP surface (health, readiness, metrics, room list, dev seats).
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/codes.ts';
import type { GameConfig } from '../config.ts';
import { urlHost } from '../url-host.ts';
import { admit } from './admission.ts';
import { handleClientMessage } from './client-messages.ts';
import { devSeatHandler } from './dev-seats.ts';
import { DirectoryHeartbeat, type NodeDirectory } from './directory-heartbeat.ts';
import { GameMetrics } from './metrics.ts';
import type { AnyRoomDefinition, MatchReport } from './room.ts';
import { RoomRegistry } from './room-registry.ts';
import { compileRoomType, type RoomType } from './room-type.ts';
import { createWakeTimer, monotonicClock, TickScheduler } from './scheduler.ts';
import type { SeatSocket, SocketData } from './seat.ts';
import type { SeatTokens } from './seat-token.ts';
import { loadTransport } from './transport/load.ts';
import type { HttpResponse, Transport } from './transport/types.ts';

export interface GameNodeOptions {
  readonly config: GameConfig;
  readonly log: Logger;
  readonly tokens: SeatTokens;
  readonly rooms: readonly AnyRoomDefinition[];
  /** Where finished matches go (leaderboards). Defaults to logging them. */
  readonly reportMatch?: (report: MatchReport) => Promise<void>;
  /** Wall clock in ms, injectable for tests. */
  readonly now?: () => number;
  /** The room directory this node announces itself and its rooms' occupancy to (the lobby's). */
  readonly directory?: NodeDirectory;
  /** How often to heartbeat the directory, in ms (default 1000; the TTL is three beats). */
  readonly heartbeatMs?: number;
  /** Told about every room tick that ran, with its duration (benchmarks keep their own histogram). */
  readonly onTick?: (durationMs: number, overrun: boolean) => void;
}

/** Close codes counted under their own label; any other (clients pick theirs) counts as 'other'. */
const KNOWN_CLOSE_CODES = new Set<number>([...Object.values(CloseCode), 1005, 1006]);

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A running game node. Create with GameNode.start(); stop() drains it. */
export class GameNode {
  readonly config: GameConfig;
  readonly metrics = new GameMetrics({ defaultMetrics: true });
  readonly scheduler: TickScheduler;
  readonly registry: RoomRegistry;
  readonly transport: Transport;
  /** Why uWebSockets.js is not in use, when the node fell back to ws. */
  readonly fallbackReason: string | undefined;
  readonly #log: Logger;
  readonly #sockets = new Set<SeatSocket>();
  readonly #heartbeat: DirectoryHeartbeat | undefined;
  /** Set by stop() while it waits for the last socket to close. */
  #allClosed: (() => void) | undefined;
  #port = 0;
  #draining = false;
  #stopping: Promise<void> | undefined;

  /** Load the transport, compile the room types and listen. */
  static async start(options: GameNodeOptions): Promise<GameNode> {
    const loaded = await loadTransport(options.config.transport);
    const node = new GameNode(options, loaded);
    if (loaded.fallbackReason) {
      options.log.warn(`uWebSockets.js unavailable, running on ws: ${loaded.fallbackReason}`);
    }
    if (loaded.patchedAddon) {
      options.log.info(
        { addon: loaded.patchedAddon },
        "uWebSockets.js runs from a copy patched for this host's glibc (node_modules is untouched)",
      );
    }
    node.#port = (await node.transport.listen()).port;
    await node.#heartbeat?.start();
    options.log.info(
      { url: node.url, transport: loaded.kind, nodeId: options.config.nodeId },
      'game node listening',
    );
    return node;
  }

  private constructor(options: GameNodeOptions, loaded: Awaited<ReturnType<typeof loadTransport>>) {
    const { config, log, tokens } = options;
    const now = options.now ?? Date.now;
    this.config = config;
    this.#log = log;
    this.fallbackReason = loaded.fallbackReason;
    const types = new Map<string, RoomType>();
    for (const definition of options.rooms)
      types.set(definition.mode, compileRoomType(definition, config.defaultTickRate));

    const metrics = this.metrics;
    const onTick = options.onTick;
    this.scheduler = new TickScheduler({
      clock: monotonicClock,
      timer: createWakeTimer(),
      onTickError: (_entry, err) => log.error({ err }, 'room tick failed'),
      onSlip: (_entry, skipped) => metrics.slipped.inc(skipped),
      onTick: (_entry, ms, overrun) => {
        metrics.ticks.inc();
        metrics.tickDuration.observe(ms / 1000);
        if (overrun) metrics.overruns.inc();
        onTick?.(ms, overrun);
      },
    });
    const reportMatch =
      options.reportMatch ??
      (async (report: MatchReport) =>
        void log.info({ match: report }, 'match ended (no results sink configured)'));
    this.transport = loaded.factory<SocketData>(
      {
        host: config.host,
        port: config.port,
        wsPath: '/ws',
        maxPayloadBytes: config.maxPayloadBytes,
        maxHttpBodyBytes: 16 * 1024,
        idleTimeoutSeconds: config.idleTimeoutSeconds,
        ...(config.tls ? { tls: config.tls } : {}),
      },
      {
        upgrade: (request) =>
          admit(request, {
            config,
            tokens,
            registry: this.registry,
            metrics,
            log,
            draining: () => this.#draining,
          }),
        open: (socket) =>
          this.#contain(socket, 'open', () => {
            this.#sockets.add(socket);
            if (this.#draining) {
              // Admitted just before the drain began: its room is already gone.
              socket.data.closingBy = 'server';
              socket.close(CloseCode.GOING_AWAY, 'server shutting down');
              return;
            }
            socket.data.room.attach(socket.data.seat, socket);
          }),
        message: (socket, bytes, isBinary) =>
          this.#contain(socket, 'message', () =>
            handleClientMessage(socket, bytes, isBinary, {
              metrics,
              now,
              serverTime: () => performance.now(),
            }),
          ),
        close: (socket, code) =>
          this.#contain(socket, 'close', () => {
            this.#sockets.delete(socket);
            metrics.closes.labels(KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other').inc();
            socket.data.room.detach(socket.data.seat, socket, code);
            if (this.#sockets.size === 0) this.#allClosed?.();
          }),
      },
    );
    this.registry = new RoomRegistry({
      types,
      scheduler: this.scheduler,
      maxRooms: config.maxRooms,
      roomDeps: {
        config,
        metrics,
        log,
        now,
        publish: (topic, bytes) => this.transport.publish(topic, bytes),
        reportMatch,
      },
    });

    this.#heartbeat =
      options.directory &&
      new DirectoryHeartbeat({
        directory: options.directory,
        intervalMs: options.heartbeatMs ?? 1000,
        log,
        status: () => ({
          nodeId: config.nodeId,
          url: this.url,
          players: this.#seatedPlayers(),
          rooms: this.registry.size,
          maxRooms: config.maxRooms,
        }),
        rooms: () => this.registry.occupancy(),
      });

    this.transport.route('GET', '/health', () => json(200, { status: 'ok' }));
    this.transport.route('GET', '/ready', () =>
      this.#draining
        ? json(503, { status: 'draining' })
        : json(200, { status: 'ready', rooms: this.registry.size }),
    );
    this.transport.route('GET', '/metrics', async () => ({
      status: 200,
      headers: { 'content-type': metrics.registry.contentType },
      body: await this.#renderMetrics(),
    }));
    this.transport.route('GET', '/rooms', () => json(200, { rooms: this.registry.summaries() }));
    if (config.devSeats) {
      this.transport.route(
        'POST',
        '/dev/seats',
        devSeatHandler({ config, tokens, registry: this.registry, url: () => this.url }),
      );
    }
  }

  /** The port the node listens on. */
  get port(): number {
    return this.#port;
  }

  /** The ws(s) URL clients connect to. */
  get url(): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const scheme = this.config.tls ? 'wss' : 'ws';
    const host = urlHost(this.config.host);
    return `${scheme}://${host}:${this.#port}/ws`;
  }

  /** Shutdown has begun: new connections are refused and /ready answers 503. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Connected sockets right now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /**
   * Graceful shutdown: refuse new joins, dispose every room (players get 1001 and rooms their
   * onDispose), wait for match reports and sockets up to the shutdown timeout, then stop listening.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#draining = true;
    await this.#heartbeat?.stop(); // no new players are sent here from now on
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.config.shutdownTimeoutMs).unref(),
    );
    const reports = this.registry.disposeAll(CloseCode.GOING_AWAY, 'server shutting down');
    const socketsClosed = new Promise<void>((resolve) => {
      if (this.#sockets.size === 0) resolve();
      else this.#allClosed = resolve;
    });
    await Promise.race([Promise.all([reports, socketsClosed]), deadline]);
    for (const socket of this.#sockets) socket.terminate();
    this.scheduler.stop();
    await this.transport.close();
    this.#log.info({ nodeId: this.config.nodeId }, 'game node stopped');
  }

  /** A fault in our own socket handling is logged and costs one connection, never the process. */
  #contain(socket: SeatSocket, event: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#log.error({ err, event, room: socket.data.room.id }, 'socket handler failed');
      if (event !== 'close') {
        socket.data.closingBy = 'server';
        socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
      }
    }
  }

  async #renderMetrics(): Promise<string> {
    this.metrics.players.labels('connected').set(this.#sockets.size);
    this.metrics.players.labels('seated').set(this.#seatedPlayers());
    return this.metrics.render();
  }

  #seatedPlayers(): number {
    let seated = 0;
    for (const room of this.registry.summaries()) seated += room.players;
    return seated;
  }
}
