/**
 * The default transport, on uWebSockets.js. Importing this module loads uWS.js's native binary, so
 * it is only ever imported through load.ts, which falls back to ws.ts where the binary cannot load.
 */
import {
  App,
  DISABLED,
  SSLApp,
  type TemplatedApp,
  type HttpRequest as UwsRequest,
  type HttpResponse as UwsResponse,
  type us_listen_socket,
  us_listen_socket_close,
  type us_socket_context_t,
  us_socket_local_port,
  type WebSocket,
} from 'uWebSockets.js';
import type {
  HttpHandler,
  HttpRequest,
  HttpResponse,
  SocketHandlers,
  Transport,
  TransportFactory,
  TransportFault,
  TransportOptions,
  TransportSocket,
  UpgradeDecision,
  UpgradeRequest,
} from './types.ts';
import {
  ABNORMAL_CLOSURE,
  answerHttp,
  canonicalAddress,
  concatChunks,
  decideUpgrade,
  effectiveIdleSeconds,
  HttpAnswer,
  parseProtocols,
  statusLine,
  TEXT_PLAIN,
  TRANSPORT_FAULTS,
  truncateCloseReason,
} from './wire.ts';

/**
 * Per-socket backpressure uWS.js may hold before it drops sends. Large on purpose: the game node
 * watches bufferedAmount() itself and closes slow clients with its own code.
 */
const MAX_BACKPRESSURE_BYTES = 4 * 1024 * 1024;

/**
 * How far past maxPayloadBytes uWS.js may read a message. uWS.js refuses an oversized frame at its
 * header by dropping the TCP connection without a close frame (the client sees 1006); `ws` sends
 * 1009. Reading a little more lets the wrapper send that 1009 itself for the usual oversized
 * message, while a frame beyond the grace is still refused at its header.
 */
const OVERSIZE_GRACE_BYTES = 64 * 1024;

/** uWS.js copies the user data object's properties, so the wrapper travels as a property. */
interface UserData<T> {
  readonly socket: UwsSocket<T>;
}

/**
 * The wrapper of a uWS.js WebSocket. uWS.js copies the user data's properties onto the WebSocket
 * object itself (its examples read `ws.url` after `res.upgrade({ url })`, and getUserData() returns
 * the WebSocket), so a property read finds it: getUserData() would be a native call per message.
 */
function wrapperOf<T>(ws: WebSocket<UserData<T>>): UwsSocket<T> {
  return (ws as unknown as UserData<T>).socket;
}

const textDecoder = new TextDecoder();

const faultByReason = new Map<string, TransportFault>(
  Object.entries(TRANSPORT_FAULTS).map(([fault, { reason }]) => [reason, fault as TransportFault]),
);

/**
 * The fault behind a close uWS.js reports. uWS.js reports every fault it detects as 1006 plus one
 * of its fixed reasons (it has already dropped the TCP connection, or, for a forbidden close code,
 * answered with a close frame without a code). A client cannot fake one: a close frame carrying
 * 1006 is itself an invalid close.
 */
function faultOf(code: number, reason: string): TransportFault | undefined {
  return code === ABNORMAL_CLOSURE ? faultByReason.get(reason) : undefined;
}

/**
 * A uWS.js WebSocket behind the seam. uWS.js throws on any access to a closed socket, so the
 * handle is dropped in the close handler and every method checks it first.
 */
class UwsSocket<T> implements TransportSocket<T> {
  readonly data: T;
  readonly remoteAddress: string;
  /** Set between open and close; undefined before and after. */
  ws: WebSocket<UserData<T>> | undefined;
  /** Set when the wrapper itself closed the socket for a fault. */
  fault: TransportFault | undefined;

  constructor(data: T, remoteAddress: string) {
    this.data = data;
    this.remoteAddress = remoteAddress;
  }

  send(bytes: Uint8Array): boolean {
    // 2 = dropped over maxBackpressure; 0 (queued as backpressure) still counts as sent.
    return this.ws !== undefined && this.ws.send(bytes, true) !== 2;
  }

  bufferedAmount(): number {
    return this.ws === undefined ? 0 : this.ws.getBufferedAmount();
  }

  close(code: number, reason: string): void {
    // uWS.js runs the close handler synchronously inside end(), which clears this.ws.
    this.ws?.end(code, truncateCloseReason(reason));
  }

  ping(): void {
    this.ws?.ping();
  }

  terminate(): void {
    this.ws?.close();
  }

  /** A message over the cap that uWS.js let through (see OVERSIZE_GRACE_BYTES): 1009, as `ws` does. */
  refuseOversized(): void {
    this.fault = 'too_big';
    this.ws?.end(TRANSPORT_FAULTS.too_big.code); // no reason on the wire, like `ws`
  }

  subscribe(topic: string): void {
    this.ws?.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.ws?.unsubscribe(topic);
  }
}

function remoteAddressOf(res: UwsResponse): string {
  return canonicalAddress(textDecoder.decode(res.getRemoteAddressAsText()));
}

/** Everything uWS.js's request offers, copied now: the request is invalid once the handler returns. */
function readHeaders(req: UwsRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  // uWS.js already gives lower-case names.
  req.forEach((name, value) => {
    headers[name] = value;
  });
  return headers;
}

/** Tracks whether the client went away while an async decision or body read was pending. */
interface Pending {
  aborted: boolean;
}

/** A refused upgrade: the status and the reason as plain text. */
function refuseUpgrade(
  res: UwsResponse,
  decision: { readonly status: number; readonly reason: string },
): void {
  res.writeStatus(statusLine(decision.status)).writeHeader('content-type', TEXT_PLAIN).end(decision.reason);
}

function writeResponse(res: UwsResponse, response: HttpResponse, closeConnection = false): void {
  res.writeStatus(statusLine(response.status));
  if (response.headers) {
    for (const name in response.headers) res.writeHeader(name, response.headers[name]!);
  }
  res.end(response.body ?? '', closeConnection);
}

/** SSLApp, with its bare "App construction failed" turned into an error naming the files. */
function sslApp(tls: NonNullable<TransportOptions['tls']>): TemplatedApp {
  try {
    return SSLApp({
      key_file_name: tls.keyFile,
      cert_file_name: tls.certFile,
      ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    });
  } catch (cause) {
    const message = `uWebSockets.js could not load the TLS key ${tls.keyFile} or certificate ${tls.certFile}`;
    throw new Error(message, { cause });
  }
}

class UwsTransport<T> implements Transport {
  readonly kind = 'uws';
  readonly #app: TemplatedApp;
  readonly #options: TransportOptions;
  readonly #handlers: SocketHandlers<T>;
  #listenSocket: us_listen_socket | undefined;

  constructor(options: TransportOptions, handlers: SocketHandlers<T>) {
    this.#options = options;
    this.#handlers = handlers;
    const { tls, maxPayloadBytes } = options;
    this.#app = tls ? sslApp(tls) : App();
    this.#app.ws<UserData<T>>(options.wsPath, {
      compression: DISABLED,
      maxPayloadLength: maxPayloadBytes + OVERSIZE_GRACE_BYTES,
      idleTimeout: effectiveIdleSeconds(options.idleTimeoutSeconds),
      sendPingsAutomatically: true,
      maxBackpressure: MAX_BACKPRESSURE_BYTES,
      closeOnBackpressureLimit: false,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (ws) => {
        const socket = wrapperOf(ws);
        socket.ws = ws;
        handlers.open(socket);
      },
      // The ArrayBuffer is neutered when this returns, hence "only valid during the call".
      message: (ws, message, isBinary) => {
        const socket = wrapperOf(ws);
        if (message.byteLength > maxPayloadBytes) socket.refuseOversized();
        else handlers.message(socket, new Uint8Array(message), isBinary);
      },
      close: (ws, code, message) => {
        const socket = wrapperOf(ws);
        socket.ws = undefined;
        const text = textDecoder.decode(message);
        const fault = socket.fault ?? faultOf(code, text);
        if (fault === undefined) handlers.close(socket, code, text, undefined);
        else handlers.close(socket, TRANSPORT_FAULTS[fault].code, TRANSPORT_FAULTS[fault].reason, fault);
      },
      pong: (ws) => handlers.pong?.(wrapperOf(ws)),
      // No drain handler: the game node polls bufferedAmount() once per tick instead.
    });
    // uWS.js's router prefers exact routes to wildcards whatever the order, so routes added later win.
    this.#app.any('/*', (res) => {
      writeResponse(res, HttpAnswer.NOT_FOUND);
    });
  }

  #upgrade(res: UwsResponse, req: UwsRequest, context: us_socket_context_t): void {
    const headers = readHeaders(req);
    const request: UpgradeRequest = {
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery()),
      headers,
      protocols: parseProtocols(headers['sec-websocket-protocol']),
      remoteAddress: remoteAddressOf(res),
    };
    const decision = decideUpgrade(this.#handlers, request);
    if ('then' in decision) {
      const pending: Pending = { aborted: false };
      res.onAborted(() => {
        pending.aborted = true;
      });
      void this.#answerUpgradeLater(res, request, decision, pending, context);
      return;
    }
    // uWS.js runs this callback corked: the 101 (or the refusal) and whatever the open handler
    // sends leave in one write, and no upgrade is ever completed later (see #answerUpgradeLater).
    if (decision.accept) this.#acceptUpgrade(res, request, decision, context);
    else refuseUpgrade(res, decision);
  }

  /** A decision the handler gave as a Promise (the game node's own handler never does). */
  async #answerUpgradeLater(
    res: UwsResponse,
    request: UpgradeRequest,
    later: Promise<UpgradeDecision<T>>,
    pending: Pending,
    context: us_socket_context_t,
  ): Promise<void> {
    const decision = await later;
    if (pending.aborted) return;
    // Not inside res.cork: after an async upgrade, uWS.js 20.56's cork() can miss that the
    // socket became a WebSocket (its realloc shrank in place, same address) and read the HTTP
    // response's state from the WebSocket's memory; when a stray bit reads as "Connection:
    // close" it closes the fresh WebSocket, 1006 right after open (uNetworking/uWebSockets#1928,
    // fixed upstream by #1929). Uncorked, upgrade() writes the 101 and the open handler's sends
    // straight out and nothing reads the old response after it; uWS.js prints its "writes must be
    // made from within a corked callback" warning to stderr for it, which is why the game node
    // decides synchronously.
    if (decision.accept) this.#acceptUpgrade(res, request, decision, context);
    else res.cork(() => refuseUpgrade(res, decision));
  }

  #acceptUpgrade(
    res: UwsResponse,
    request: UpgradeRequest,
    decision: UpgradeDecision<T> & { readonly accept: true },
    context: us_socket_context_t,
  ): void {
    const socket = new UwsSocket(decision.data, request.remoteAddress);
    res.upgrade<UserData<T>>(
      { socket },
      request.headers['sec-websocket-key'] ?? '',
      decision.protocol,
      request.headers['sec-websocket-extensions'] ?? '',
      context,
    );
  }

  route(method: 'GET' | 'POST' | 'DELETE', path: string, handler: HttpHandler): void {
    const serve = (res: UwsResponse, req: UwsRequest) => this.#serveHttp(res, req, method, handler);
    if (method === 'GET') this.#app.get(path, serve);
    else if (method === 'POST') this.#app.post(path, serve);
    else this.#app.del(path, serve);
  }

  #serveHttp(res: UwsResponse, req: UwsRequest, method: string, handler: HttpHandler): void {
    const headers = readHeaders(req);
    const path = req.getUrl();
    const query = new URLSearchParams(req.getQuery());
    const remoteAddress = remoteAddressOf(res);
    const limit = this.#options.maxHttpBodyBytes;
    const pending: Pending = { aborted: false };
    res.onAborted(() => {
      pending.aborted = true;
    });
    // A declared length over the cap is refused before a byte of the body is read.
    if (Number(headers['content-length'] ?? 0) > limit) {
      writeResponse(res, HttpAnswer.TOO_LARGE, true);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (refused) return;
      size += chunk.byteLength;
      if (size > limit) {
        refused = true;
        res.cork(() => writeResponse(res, HttpAnswer.TOO_LARGE, true));
        return;
      }
      // uWS.js neuters the chunk when this callback returns: copy it.
      if (chunk.byteLength > 0) chunks.push(new Uint8Array(chunk.slice(0)));
      if (!isLast) return;
      const body = concatChunks(chunks, size);
      void this.#answerHttp(res, pending, handler, { method, path, query, headers, body, remoteAddress });
    });
  }

  async #answerHttp(
    res: UwsResponse,
    pending: Pending,
    handler: HttpHandler,
    request: HttpRequest,
  ): Promise<void> {
    const response = await answerHttp(handler, request);
    if (pending.aborted) return;
    res.cork(() => writeResponse(res, response));
  }

  listen(): Promise<{ readonly port: number }> {
    const { host, port } = this.#options;
    return new Promise((resolve, reject) => {
      this.#app.listen(host, port, (listenSocket) => {
        if (listenSocket === false) {
          reject(new Error(`uWebSockets.js could not listen on ${host}:${port}`));
          return;
        }
        this.#listenSocket = listenSocket;
        resolve({ port: us_socket_local_port(listenSocket) });
      });
    });
  }

  publish(topic: string, bytes: Uint8Array): void {
    this.#app.publish(topic, bytes, true);
  }

  close(): Promise<void> {
    if (this.#listenSocket !== undefined) {
      us_listen_socket_close(this.#listenSocket);
      this.#listenSocket = undefined;
    }
    return Promise.resolve();
  }
}

/** A transport on uWebSockets.js (App, or SSLApp when `options.tls` is set). */
export const createUwsTransport: TransportFactory = (options, handlers) =>
  new UwsTransport(options, handlers);
