/**
 * A game node: the transport (uWebSockets.js, or ws as the fallback), the room registry, the one
 * tick scheduler, and a small HTTP surface (health, readiness, metrics, the room list for operators,
 * dev seats when enabled).
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/codes.ts';
import { bearerKeyCheck } from '../bearer.ts';
import type { GameConfig } from '../config.ts';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem.ts';
import { IN_MEMORY } from '../store/embedded/sqlite.ts';
import { urlHost } from '../url-host.ts';
import { admit } from './admission.ts';
import { type ClientMessageDeps, handleClientMessage } from './client-messages.ts';
import { devSeatHandler } from './dev-seats.ts';
import { DirectoryHeartbeat, type NodeDirectory } from './directory-heartbeat.ts';
import { MatchDelivery, type MatchSender, type Sleep } from './match-delivery.ts';
import { MatchOutbox } from './match-outbox.ts';
import { MatchResults } from './match-results.ts';
import { GameMetrics } from './metrics.ts';
import { mountNodeAdmin, RoundTrips } from './node-admin.ts';
import type { AnyRoomDefinition, MatchReport } from './room.ts';
import { RoomRegistry } from './room-registry.ts';
import { compileRoomType, type RoomType } from './room-type.ts';
import { createWakeTimer, monotonicClock, TickScheduler } from './scheduler.ts';
import type { SeatSocket, SocketData } from './seat.ts';
import type { SeatTokens } from './seat-token.ts';
import { TickWindow } from './tick-window.ts';
import { loadTransport } from './transport/load.ts';
import type { HttpResponse, Transport } from './transport/types.ts';
import { recordTransportFault } from './violations.ts';

export interface GameNodeOptions {
  readonly config: GameConfig;
  readonly log: Logger;
  readonly tokens: SeatTokens;
  readonly rooms: readonly AnyRoomDefinition[];
  /**
   * Delivers finished matches' reports (to the lobby: lobbyReporter). Defaults to logging them as
   * delivered. Reports wait in the outbox until it answers `delivered`.
   */
  readonly sendReport?: MatchSender;
  /** Where the match outbox lives (`<dataDir>/match-outbox.sqlite`); default `:memory:`. */
  readonly dataDir?: string;
  /** How the delivery loop waits between retries (tests inject one that does not). */
  readonly sleep?: Sleep;
  /** Wall clock in ms, injectable for tests. */
  readonly now?: () => number;
  /** The room directory this node announces itself and its rooms' occupancy to (the lobby's). */
  readonly directory?: NodeDirectory;
  /** How often to heartbeat the directory, in ms (default 1000; the TTL is three beats). */
  readonly heartbeatMs?: number;
  /** Told about every room tick that ran, with its duration (benchmarks keep their own histogram). */
  readonly onTick?: (durationMs: number, overrun: boolean) => void;
  /**
   * Keys that may read GET /rooms as `Authorization: Bearer <key>` (the server and admin keys):
   * the list names private rooms, which only their members may know. Without keys it is refused.
   */
  readonly operatorKeys?: readonly string[];
  /** Keys of the operator routes /admin/* (the admin key); without keys they are not served. */
  readonly adminKeys?: readonly string[];
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (TICKFORGE_METRICS_TOKEN). */
  readonly metricsToken?: string;
}

/** Close codes counted under their own label; any other (clients pick theirs) counts as 'other'. */
const KNOWN_CLOSE_CODES = new Set<number>([...Object.values(CloseCode), 1005, 1006]);

/** The sender of a node with no lobby: reports are logged and count as delivered. */
const logReport =
  (log: Logger): MatchSender =>
  async (report: MatchReport) => {
    log.info({ match: report }, 'match ended (no lobby to report to)');
    return { kind: 'delivered' };
  };

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A 401 problem answer naming the credential the route needs. */
const unauthorized = (detail: string): HttpResponse => ({
  status: 401,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': 'Bearer' },
  body: JSON.stringify(problem(401, 'unauthorized', 'Unauthorized', detail)),
});

/** The answer to GET /rooms without the server or admin key. */
const UNAUTHORIZED = unauthorized('This route needs the server or admin key (Authorization: Bearer <key>).');

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
  /** Finished matches: durable in the outbox, then delivered. */
  readonly results: MatchResults;
  /** Set by stop() while it waits for the last socket to close. */
  #allClosed: (() => void) | undefined;
  #port = 0;
  #draining = false;
  /** An operator drained the node: no new rooms, the ones here play on. */
  #drained = false;
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
    try {
      node.#port = (await node.transport.listen()).port;
    } catch (error) {
      await node.results.stop();
      throw error;
    }
    node.results.start(); // first of all, what the outbox held from before a restart
    try {
      await node.#heartbeat?.start();
    } catch (error) {
      // Another live node holds this node id: listen no longer, keep the outbox for the next start.
      await node.results.stop();
      await node.transport.close();
      throw error;
    }
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
    const ticks = new TickWindow();
    const onTick = options.onTick;
    this.scheduler = new TickScheduler({
      clock: monotonicClock,
      timer: createWakeTimer(),
      onTickError: (_entry, err) => log.error({ err }, 'room tick failed'),
      onSlip: (_entry, skipped) => {
        metrics.slipped.inc(skipped);
        ticks.slipped += skipped;
      },
      onTick: (_entry, ms, overrun) => {
        ticks.record(ms, overrun);
        metrics.ticks.inc();
        metrics.tickDuration.observe(ms / 1000);
        if (overrun) metrics.overruns.inc();
        onTick?.(ms, overrun);
      },
    });
    const outbox = MatchOutbox.open(options.dataDir ?? IN_MEMORY, now);
    this.results = new MatchResults({
      outbox,
      delivery: new MatchDelivery({
        outbox,
        send: options.sendReport ?? logReport(log),
        log,
        metrics,
        confirmMs: config.matchConfirmMs,
        now,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      }),
      log,
      metrics,
      warnPending: config.outboxWarnPending,
    });
    const trips = new RoundTrips();
    const messageDeps: ClientMessageDeps = { metrics, log, now, serverTime: () => performance.now() };
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
            const { seat, room } = socket.data;
            log.info(
              { seatId: seat.seatId, playerId: seat.player.id, roomId: room.id, mode: room.mode },
              'player joined',
            );
            room.attach(seat, socket);
          }),
        // Every inbound frame comes through here: no closure or deps object per message.
        message: (socket, bytes, isBinary) => {
          try {
            handleClientMessage(socket, bytes, isBinary, messageDeps);
          } catch (err) {
            this.#failed(socket, 'message', err);
          }
        },
        pong: (socket) => trips.pong(socket),
        close: (socket, code, _reason, fault) =>
          this.#contain(socket, 'close', () => {
            this.#sockets.delete(socket);
            if (fault) recordTransportFault(socket, fault, code, { metrics, log });
            metrics.closes.labels(KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other').inc();
            const { seat, room } = socket.data;
            log.info(
              {
                seatId: seat.seatId,
                playerId: seat.player.id,
                roomId: room.id,
                code,
                by: socket.data.closingBy,
              },
              'player left',
            );
            room.detach(seat, socket, code);
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
        recordMatch: (report) => this.results.record(report),
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
          adminUrl: this.internalUrl,
          heartbeatMs: options.heartbeatMs ?? 1000,
          players: this.#seatedPlayers(),
          rooms: this.registry.size,
          // A drained node takes no new rooms: the lobby places none where rooms >= maxRooms.
          maxRooms: this.#drained ? 0 : config.maxRooms,
        }),
        rooms: () => this.registry.occupancy(),
      });

    this.transport.route('GET', '/health', () => json(200, { status: 'ok' }));
    this.transport.route('GET', '/ready', () =>
      this.#draining
        ? json(503, { status: 'draining' })
        : json(200, { status: 'ready', rooms: this.registry.size }),
    );
    const scraper = options.metricsToken ? bearerKeyCheck([options.metricsToken]) : () => true;
    this.transport.route('GET', '/metrics', async (request) =>
      scraper(request.headers.authorization)
        ? {
            status: 200,
            headers: { 'content-type': metrics.registry.contentType },
            body: await this.#renderMetrics(),
          }
        : unauthorized('GET /metrics needs the metrics token (Authorization: Bearer <token>).'),
    );
    const operator = bearerKeyCheck(options.operatorKeys ?? []);
    this.transport.route('GET', '/rooms', (request) =>
      operator(request.headers.authorization)
        ? json(200, { rooms: this.registry.summaries() })
        : UNAUTHORIZED,
    );
    if (options.adminKeys?.length) {
      mountNodeAdmin(
        this.transport,
        {
          adminKeys: options.adminKeys,
          nodeId: config.nodeId,
          url: () => this.url,
          registry: this.registry,
          ticks,
          log,
          now,
          connections: () => this.#sockets.size,
          maxRooms: config.maxRooms,
          draining: () => this.#draining || this.#drained,
          drain: () => {
            this.#drained = true;
            this.registry.refuseNewRooms = true;
          },
          undrain: () => {
            if (this.#draining) return false;
            this.#drained = false;
            this.registry.refuseNewRooms = false;
            return true;
          },
        },
        trips,
      );
    }
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

  /** The http(s) base URL of the node's operator routes, announced to the lobby in its heartbeat. */
  get internalUrl(): string {
    if (this.config.internalUrl) return this.config.internalUrl;
    const scheme = this.config.tls ? 'https' : 'http';
    return `${scheme}://${urlHost(this.config.host)}:${this.#port}`;
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
   * onDispose), wait for match reports to be delivered and sockets to close, up to the shutdown
   * timeout, then stop listening. Undelivered reports stay in the outbox for the next start.
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
    this.registry.disposeAll(CloseCode.GOING_AWAY, 'server shutting down');
    const reports = this.results.drain();
    const socketsClosed = new Promise<void>((resolve) => {
      if (this.#sockets.size === 0) resolve();
      else this.#allClosed = resolve;
    });
    await Promise.race([Promise.all([reports, socketsClosed]), deadline]);
    for (const socket of this.#sockets) socket.terminate();
    this.scheduler.stop();
    await this.results.stop();
    await this.transport.close();
    this.#log.info({ nodeId: this.config.nodeId }, 'game node stopped');
  }

  /** A fault in our own socket handling is logged and costs one connection, never the process. */
  #contain(socket: SeatSocket, event: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#failed(socket, event, err);
    }
  }

  #failed(socket: SeatSocket, event: string, err: unknown): void {
    this.#log.error({ err, event, room: socket.data.room.id }, 'socket handler failed');
    if (event !== 'close') {
      socket.data.closingBy = 'server';
      socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
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
