/**
 * The fallback transport, on the `ws` package over node:http / node:https, for hosts where
 * uWebSockets.js cannot load. It mirrors uws.ts's observable behaviour (see wire.ts): same status
 * lines, close codes and reasons, idle rule and HTTP limits.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type {
  HttpHandler,
  HttpRequest,
  HttpResponse,
  SocketHandlers,
  Transport,
  TransportFactory,
  TransportOptions,
  UpgradeRequest,
} from './types.ts';
import {
  answerHttp,
  canonicalAddress,
  concatChunks,
  decideUpgrade,
  effectiveIdleSeconds,
  HttpAnswer,
  MAX_REQUEST_HEAD_BYTES,
  parseProtocols,
  statusLine,
  TEXT_PLAIN,
} from './wire.ts';
import { faultOf, type SocketHub, WsSocket } from './ws-socket.ts';

/** Heartbeat beats per idle timeout: a silent socket is pinged after half of it, dropped after all of it. */
const BEATS_PER_IDLE = 8;
const PING_AFTER_BEATS = BEATS_PER_IDLE / 2;

/** Splits `/ws?a=1` into the path and its query. */
function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const mark = url.indexOf('?');
  return mark === -1
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, mark), query: new URLSearchParams(url.slice(mark + 1)) };
}

/** Node already lower-cases names; repeated headers arrive joined, except set-cookie (an array). */
function readHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Answers on the raw connection with a plain HTTP response and closes it: a refused upgrade (before
 * any WebSocket exists), or a request node:http could not parse.
 */
function refuseOnSocket(socket: Duplex, status: number, reason: string): void {
  const body = Buffer.from(reason);
  socket.once('finish', destroyOnError);
  socket.end(
    `HTTP/1.1 ${statusLine(status)}\r\nConnection: close\r\nContent-Type: ${TEXT_PLAIN}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${reason}`,
  );
}

/**
 * A request node:http could not parse. Its own answers (431, 400, 408) have no body; these carry a
 * text/plain reason like every other refusal. (uWS.js answers these itself: see docs/PROTOCOL.md.)
 */
function refuseUnparsed(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    refuseOnSocket(socket, 431, `request headers over ${MAX_REQUEST_HEAD_BYTES} bytes`);
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    refuseOnSocket(socket, 408, 'request timed out');
  } else {
    refuseOnSocket(socket, 400, 'malformed HTTP request');
  }
}

function writeResponse(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

class WsTransport<T> implements Transport {
  readonly kind = 'ws';
  readonly #options: TransportOptions;
  readonly #hub: SocketHub<T>;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #routes = new Map<string, HttpHandler>();
  /** The subprotocol the upgrade handler chose, for ws's handleProtocols. */
  readonly #chosenProtocol = new WeakMap<IncomingMessage, string>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: TransportOptions, handlers: SocketHandlers<T>) {
    this.#options = options;
    this.#hub = { handlers, sockets: new Set(), topics: new Map(), beat: 0 };
    const tls = options.tls;
    const limits = { maxHeaderSize: MAX_REQUEST_HEAD_BYTES };
    this.#server = tls
      ? createHttpsServer({
          ...limits,
          key: readFileSync(tls.keyFile),
          cert: readFileSync(tls.certFile),
          passphrase: tls.passphrase,
        })
      : createHttpServer(limits);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: false,
      handleProtocols: (_offered, req) => this.#chosenProtocol.get(req) || false,
    });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#upgrade(req, socket, head);
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#serveHttp(req, res);
    });
    this.#server.on('clientError', refuseUnparsed);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // node:http removed its own error listener when it handed the socket over.
    socket.on('error', destroyOnError);
    const { path, query } = splitUrl(req.url ?? '/');
    if (path !== this.#options.wsPath) {
      refuseOnSocket(socket, HttpAnswer.NOT_FOUND.status, HttpAnswer.NOT_FOUND.body);
      return;
    }
    const headers = readHeaders(req);
    const request: UpgradeRequest = {
      path,
      query,
      headers,
      protocols: parseProtocols(headers['sec-websocket-protocol']),
      remoteAddress: canonicalAddress(req.socket.remoteAddress ?? ''),
    };
    void this.#answerUpgrade(req, socket, head, request);
  }

  async #answerUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    request: UpgradeRequest,
  ): Promise<void> {
    const decision = await decideUpgrade(this.#hub.handlers, request);
    if (socket.destroyed || !socket.writable) {
      socket.destroy(); // the client left while we decided
      return;
    }
    if (!decision.accept) {
      refuseOnSocket(socket, decision.status, decision.reason);
      return;
    }
    this.#chosenProtocol.set(req, decision.protocol);
    socket.removeListener('error', destroyOnError); // ws installs its own
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#open(ws, decision.data, request.remoteAddress);
    });
  }

  #open(ws: WebSocket, data: T, remoteAddress: string): void {
    const hub = this.#hub;
    const socket = new WsSocket(ws, data, remoteAddress, hub);
    hub.sockets.add(socket);
    const seen = () => {
      socket.seenAt = hub.beat;
    };
    ws.on('message', (message: RawData, isBinary: boolean) => {
      // `ws` still delivers frames that arrived before our close frame went out; uWS.js does not.
      if (!socket.open) return;
      socket.seenAt = hub.beat;
      // binaryType is 'nodebuffer', so RawData is one Buffer (fragments already joined). A plain
      // Uint8Array view, as uws.ts passes: Buffer's slice() and toString() differ from Uint8Array's.
      const buffer = message as Buffer;
      hub.handlers.message(socket, new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length), isBinary);
    });
    ws.on('ping', seen);
    ws.on('pong', () => {
      seen();
      hub.handlers.pong?.(socket);
    });
    ws.on('error', (error: Error) => socket.faulted(faultOf(error)));
    ws.on('close', (code: number, reason: Buffer) => {
      socket.closed(code, reason.toString());
    });
    hub.handlers.open(socket);
  }

  #beat(): void {
    const hub = this.#hub;
    const beat = ++hub.beat;
    for (const socket of hub.sockets) {
      const silent = beat - socket.seenAt;
      if (silent > BEATS_PER_IDLE) socket.expire();
      else if (silent > PING_AFTER_BEATS) socket.ping();
    }
  }

  route(method: 'GET' | 'POST' | 'DELETE', path: string, handler: HttpHandler): void {
    this.#routes.set(`${method} ${path}`, handler);
  }

  #serveHttp(req: IncomingMessage, res: ServerResponse): void {
    const { path, query } = splitUrl(req.url ?? '/');
    const method = req.method ?? 'GET';
    const handler = this.#routes.get(`${method} ${path}`);
    if (handler === undefined) {
      writeResponse(res, HttpAnswer.NOT_FOUND);
      return;
    }
    const limit = this.#options.maxHttpBodyBytes;
    // A declared length over the cap is refused before a byte of the body is read.
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      writeResponse(res, HttpAnswer.TOO_LARGE);
      return;
    }
    const headers = readHeaders(req);
    const remoteAddress = canonicalAddress(req.socket.remoteAddress ?? '');
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return; // the rest is read and dropped until node:http closes the connection
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        writeResponse(res, HttpAnswer.TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = concatChunks(chunks, size);
      void this.#answerHttp(res, handler, { method, path, query, headers, body, remoteAddress });
    });
  }

  async #answerHttp(res: ServerResponse, handler: HttpHandler, request: HttpRequest): Promise<void> {
    const response = await answerHttp(handler, request);
    if (res.destroyed || res.writableEnded) return; // the client went away
    writeResponse(res, response);
  }

  listen(): Promise<{ readonly port: number }> {
    const { host, port } = this.#options;
    return new Promise((resolve, reject) => {
      const server = this.#server;
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.removeListener('error', onError);
        const idle = effectiveIdleSeconds(this.#options.idleTimeoutSeconds);
        if (idle > 0 && this.#heartbeat === undefined) {
          // One timer for every socket; unref'd so it never holds the process open by itself.
          this.#heartbeat = setInterval(() => this.#beat(), (idle * 1000) / BEATS_PER_IDLE).unref();
        }
        const address = server.address();
        resolve({ port: typeof address === 'object' && address !== null ? address.port : port });
      });
    });
  }

  publish(topic: string, bytes: Uint8Array): void {
    const subscribers = this.#hub.topics.get(topic);
    if (subscribers === undefined) return;
    const owned = Buffer.from(bytes);
    for (const socket of subscribers) socket.sendOwned(owned);
  }

  close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    // Like us_listen_socket_close: stop accepting now; open WebSockets stay the caller's to close.
    if (this.#server.listening) this.#server.close();
    this.#server.closeIdleConnections();
    return Promise.resolve();
  }
}

/** A transport on `ws` over node:http, or node:https when `options.tls` is set. */
export const createWsTransport: TransportFactory = (options, handlers) => new WsTransport(options, handlers);
