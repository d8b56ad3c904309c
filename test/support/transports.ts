/**
 * Harness for the transport contract suite: real servers on 127.0.0.1, `ws` clients (they can set
 * Origin and see the status of a refused upgrade), and an event log to wait on instead of sleeping.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ClientOptions, WebSocket } from 'ws';
import { loadTransport } from '../../server/game/transport/load.ts';
import type {
  SocketHandlers,
  Transport,
  TransportFactory,
  TransportFault,
  TransportOptions,
  TransportSocket,
  UpgradeDecision,
  UpgradeRequest,
} from '../../server/game/transport/types.ts';
import { requireUws, skipUws } from './uws.ts';

/** One transport the contract suite runs against. */
export interface TransportSubject {
  readonly kind: 'uws' | 'ws';
  /** Skip this suite here (uWS.js cannot load and we are not under CI). */
  readonly skip: boolean;
  load(): Promise<TransportFactory>;
}

export const transportSubjects: readonly TransportSubject[] = [
  { kind: 'ws', skip: false, load: async () => (await loadTransport('ws')).factory },
  {
    kind: 'uws',
    skip: skipUws(),
    load: async () => {
      requireUws();
      return (await loadTransport('uws')).factory;
    },
  },
];

/** Records events and resolves waiters when a matching one arrives (or has already arrived). */
export class EventLog<E> {
  readonly events: E[] = [];
  readonly #waiters: { match: (event: E) => boolean; resolve: (event: E) => void }[] = [];

  push(event: E): void {
    this.events.push(event);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.match(event)) {
        this.#waiters.splice(i, 1);
        waiter.resolve(event);
      }
    }
  }

  /** The first recorded event that matches, now or later. */
  waitFor<F extends E>(match: (event: E) => event is F): Promise<F>;
  waitFor(match: (event: E) => boolean): Promise<E>;
  waitFor(match: (event: E) => boolean): Promise<E> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  count(match: (event: E) => boolean): number {
    return this.events.filter(match).length;
  }
}

/** Per-socket data the harness's default upgrade decision gives: the client's `?id=`. */
export interface SeatData {
  readonly id: string;
}

export type ServerEvent =
  | { readonly type: 'upgrade'; readonly request: UpgradeRequest }
  | { readonly type: 'open'; readonly socket: TransportSocket<SeatData> }
  | {
      readonly type: 'message';
      readonly socket: TransportSocket<SeatData>;
      readonly bytes: Uint8Array;
      readonly isBinary: boolean;
    }
  | {
      readonly type: 'close';
      readonly socket: TransportSocket<SeatData>;
      readonly code: number;
      readonly reason: string;
      readonly fault: TransportFault | undefined;
    };

/** An upgrade handler, deciding at once (as the game node does) or through a Promise. */
export type Decide = (
  request: UpgradeRequest,
) => UpgradeDecision<SeatData> | Promise<UpgradeDecision<SeatData>>;

/** How a test's upgrade handler answers: in the same call, or later (after the transport's callback returned). */
export type DecisionTiming = 'synchronous' | 'asynchronous';

/** `decide`, answering with the given timing. Asynchronous decisions come a macrotask later. */
export function timed(
  timing: DecisionTiming,
  decide: (request: UpgradeRequest) => UpgradeDecision<SeatData>,
): Decide {
  if (timing === 'synchronous') return decide;
  return (request) =>
    new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(decide(request));
        } catch (error) {
          reject(error);
        }
      });
    });
}

/** Accepts everyone, with `?id=` as the data and the first offered subprotocol (synchronously, as the game node). */
export const acceptAll: Decide = (request) => ({
  accept: true,
  data: { id: request.query.get('id') ?? 'anonymous' },
  protocol: request.protocols[0] ?? '',
});

export const baseOptions: TransportOptions = {
  host: '127.0.0.1',
  port: 0,
  wsPath: '/ws',
  maxPayloadBytes: 1024,
  maxHttpBodyBytes: 1000,
  idleTimeoutSeconds: 60,
};

/** A listening transport plus everything its handlers saw. */
export class ServerHarness {
  readonly transport: Transport;
  readonly events = new EventLog<ServerEvent>();
  /** Swap per test to change how upgrades are decided. */
  decide: Decide = acceptAll;
  /** Set per test to act inside the open handler, as the game node does (it sends the welcome). */
  onOpen: ((socket: TransportSocket<SeatData>) => void) | undefined;
  /** Set per test to act inside the message handler, as the game node does. */
  onMessage: ((socket: TransportSocket<SeatData>) => void) | undefined;
  port = 0;
  readonly #scheme: 'ws' | 'wss';

  constructor(factory: TransportFactory, options: TransportOptions) {
    this.#scheme = options.tls ? 'wss' : 'ws';
    const handlers: SocketHandlers<SeatData> = {
      upgrade: (request) => {
        this.events.push({ type: 'upgrade', request });
        return this.decide(request);
      },
      open: (socket) => {
        this.events.push({ type: 'open', socket });
        this.onOpen?.(socket);
      },
      // Copied: the transport may reuse the memory after the call.
      message: (socket, bytes, isBinary) => {
        this.events.push({ type: 'message', socket, bytes: new Uint8Array(bytes), isBinary });
        this.onMessage?.(socket);
      },
      close: (socket, code, reason, fault) =>
        this.events.push({ type: 'close', socket, code, reason, fault }),
    };
    this.transport = factory(options, handlers);
  }

  wsUrl(pathAndQuery = '/ws'): string {
    return `${this.#scheme}://127.0.0.1:${this.port}${pathAndQuery}`;
  }

  /** The server side of the client that connected with `?id=<id>`. */
  async socket(id: string): Promise<TransportSocket<SeatData>> {
    const event = await this.events.waitFor((e) => e.type === 'open' && e.socket.data.id === id);
    return (event as Extract<ServerEvent, { type: 'open' }>).socket;
  }

  nextMessage(id: string, after = 0): Promise<Extract<ServerEvent, { type: 'message' }>> {
    let seen = 0;
    return this.events.waitFor(
      (e): e is Extract<ServerEvent, { type: 'message' }> =>
        e.type === 'message' && e.socket.data.id === id && seen++ === after,
    );
  }

  closed(id: string): Promise<Extract<ServerEvent, { type: 'close' }>> {
    return this.events.waitFor(
      (e): e is Extract<ServerEvent, { type: 'close' }> => e.type === 'close' && e.socket.data.id === id,
    );
  }

  closeCount(id: string): number {
    return this.events.count((e) => e.type === 'close' && e.socket.data.id === id);
  }

  /** Sockets opened and not yet reported closed. */
  openSockets(): TransportSocket<SeatData>[] {
    const open = new Set<TransportSocket<SeatData>>();
    for (const e of this.events.events) {
      if (e.type === 'open') open.add(e.socket);
      else if (e.type === 'close') open.delete(e.socket);
    }
    return [...open];
  }
}

export type ClientEvent =
  | { readonly type: 'open' }
  | { readonly type: 'message'; readonly data: Buffer; readonly isBinary: boolean }
  | { readonly type: 'ping' }
  | { readonly type: 'refused'; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

/** A `ws` client whose every event lands in a log. */
export class TestClient {
  readonly ws: WebSocket;
  readonly events = new EventLog<ClientEvent>();

  constructor(url: string, protocols: string[], options: ClientOptions) {
    this.ws = new WebSocket(url, protocols, options);
    const log = this.events;
    this.ws.on('open', () => log.push({ type: 'open' }));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => log.push({ type: 'message', data, isBinary }));
    this.ws.on('ping', () => log.push({ type: 'ping' }));
    this.ws.on('error', (error) => log.push({ type: 'error', message: error.message }));
    this.ws.on('close', (code, reason) => log.push({ type: 'close', code, reason: reason.toString() }));
    this.ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        log.push({
          type: 'refused',
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body,
        });
        this.ws.terminate(); // aborts the handshake request too
      });
    });
  }

  /** Resolves on open; rejects if the handshake fails instead. */
  async opened(): Promise<void> {
    const event = await this.events.waitFor(
      (e) => e.type === 'open' || e.type === 'refused' || e.type === 'close',
    );
    if (event.type !== 'open')
      throw new Error(`expected the upgrade to succeed, got ${JSON.stringify(event)}`);
  }

  refused(): Promise<Extract<ClientEvent, { type: 'refused' }>> {
    return this.events.waitFor((e): e is Extract<ClientEvent, { type: 'refused' }> => e.type === 'refused');
  }

  closed(): Promise<Extract<ClientEvent, { type: 'close' }>> {
    return this.events.waitFor((e): e is Extract<ClientEvent, { type: 'close' }> => e.type === 'close');
  }

  /** The `index`-th message this client received (0 = first). */
  message(index = 0): Promise<Extract<ClientEvent, { type: 'message' }>> {
    let seen = 0;
    return this.events.waitFor(
      (e): e is Extract<ClientEvent, { type: 'message' }> => e.type === 'message' && seen++ === index,
    );
  }

  /** Drop the connection (if any) and wait until it is gone. */
  async dispose(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const gone = this.closed();
    this.ws.terminate();
    await gone;
  }
}

/** Everything one test opened, closed again in afterEach so no handle outlives its test. */
export class TestScope {
  readonly #servers: ServerHarness[] = [];
  readonly #clients: TestClient[] = [];
  readonly #factory: TransportFactory;

  constructor(factory: TransportFactory) {
    this.#factory = factory;
  }

  async server(options: Partial<TransportOptions> = {}): Promise<ServerHarness> {
    const harness = new ServerHarness(this.#factory, { ...baseOptions, ...options });
    this.#servers.push(harness);
    harness.port = (await harness.transport.listen()).port;
    return harness;
  }

  client(url: string, protocols: string[] = [], options: ClientOptions = {}): TestClient {
    const client = new TestClient(url, protocols, options);
    this.#clients.push(client);
    return client;
  }

  /** Open a client with `?id=<id>` and wait for both ends. */
  async connect(
    server: ServerHarness,
    id: string,
    options: ClientOptions = {},
  ): Promise<{ client: TestClient; socket: TransportSocket<SeatData> }> {
    const client = this.client(server.wsUrl(`/ws?id=${id}`), [], options);
    await client.opened();
    return { client, socket: await server.socket(id) };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((client) => client.dispose()));
    for (const server of this.#servers.splice(0)) {
      for (const socket of server.openSockets()) socket.terminate();
      await server.transport.close();
    }
  }
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP(S) request on its own connection (no keep-alive left open), body sent as given. */
export function fetchHttp(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: Uint8Array | string;
    chunked?: boolean;
  } = {},
  tls: RequestOptions = {},
): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined && !init.chunked)
    headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const req = send(target, { method: init.method ?? 'GET', headers, agent: false, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    // An early 413 may reset the connection while the body is still going out; the answer counts.
    req.on('error', reject);
    req.end(init.body);
  });
}

const execFileAsync = promisify(execFile);

/** A self-signed certificate for CN=localhost, made now in a temporary directory. */
export async function selfSignedCert(): Promise<{
  keyFile: string;
  certFile: string;
  cert: Buffer;
  dispose(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'tickforge-tls-'));
  const keyFile = join(dir, 'k.pem');
  const certFile = join(dir, 'c.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
  ]);
  return {
    keyFile,
    certFile,
    cert: await readFile(certFile),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
