/**
 * The seam between the game node and a WebSocket library. uWebSockets.js (uws.ts) is the default;
 * `ws` (ws.ts) is the fallback for hosts where uWS.js cannot load. Both pass one contract suite
 * (test/transport.contract.test.ts), so nothing above this seam knows which one runs.
 */

/** A WebSocket upgrade request, read in full before any decision (uWS.js's request dies after the handler). */
export interface UpgradeRequest {
  /** Path without the query, e.g. `/ws`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names are lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Subprotocols the client offered (Sec-WebSocket-Protocol), in order. */
  readonly protocols: readonly string[];
  readonly remoteAddress: string;
}

/** Accept with per-socket data and the chosen subprotocol, or refuse with an HTTP status and a reason. */
export type UpgradeDecision<T> =
  | { readonly accept: true; readonly data: T; readonly protocol: string }
  | { readonly accept: false; readonly status: number; readonly reason: string };

/** One open WebSocket. Every method is safe to call after the socket closed (it does nothing). */
export interface TransportSocket<T> {
  readonly data: T;
  readonly remoteAddress: string;
  /** Queue one binary message (copied: the caller may reuse its buffer). False if nothing was queued. */
  send(bytes: Uint8Array): boolean;
  /** Bytes queued by send() that the kernel has not taken yet. */
  bufferedAmount(): number;
  /** Send a close frame (reason cut to 123 bytes); handlers.close runs before this returns. */
  close(code: number, reason: string): void;
  /** Drop the TCP connection without a close frame; handlers.close (1006) runs before this returns. */
  terminate(): void;
  /** Send a WebSocket ping frame; the client's pong reaches handlers.pong (round-trip times). */
  ping?(): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
}

/**
 * Why the transport itself ended a socket. Every one but `idle` is the client breaking RFC 6455 or
 * the payload cap; the library detects it before any message reaches handlers.message, and what
 * the client sees on the wire is the library's choice (docs/PROTOCOL.md has the table per transport).
 */
export type TransportFault =
  /** A frame RFC 6455 forbids: unmasked (ws only: uWS.js does not check), RSV bits, a reserved opcode. */
  | 'invalid_frame'
  /** A text message that is not UTF-8. */
  | 'invalid_utf8'
  /** A close frame with a code RFC 6455 forbids (e.g. 999) or a reason that is not UTF-8. */
  | 'invalid_close'
  /** A message over maxPayloadBytes. */
  | 'too_big'
  /** No frame and no pong for idleTimeoutSeconds. */
  | 'idle';

/**
 * What the game node does with sockets; the transport calls these. `open`, `message`, `close` and
 * `pong` must not throw: uWS.js calls them from native code, where a throw is an uncaught exception
 * that ends the process (the game node contains each of its own, see game-node.ts `#contain`).
 */
export interface SocketHandlers<T> {
  /**
   * Decide on an upgrade. The transport answers the HTTP request with the decision. Decide
   * synchronously where you can: uws.ts then answers inside uWS.js's own upgrade callback, while a
   * Promise makes it complete the upgrade later, outside the callback (slower, and uWS.js 20.56
   * prints a warning for each one; see uws.ts).
   */
  upgrade(request: UpgradeRequest): UpgradeDecision<T> | Promise<UpgradeDecision<T>>;
  open(socket: TransportSocket<T>): void;
  /**
   * `bytes` is only valid during the call (uWS.js reuses the memory): copy what you keep. Never
   * called for a socket after its close() or terminate().
   */
  message(socket: TransportSocket<T>, bytes: Uint8Array, isBinary: boolean): void;
  /**
   * Called once per opened socket, whoever closed it. `fault` is set when the transport ended the
   * socket itself; `code` is then the RFC code for the fault (1002, 1007, 1009; 1006 for idle) on
   * both transports, whatever the client saw.
   */
  close(socket: TransportSocket<T>, code: number, reason: string, fault: TransportFault | undefined): void;
  /** A pong frame arrived (answering ping(), or the transport's own keep-alive ping). */
  pong?(socket: TransportSocket<T>): void;
}

/** A small HTTP request, body already read (and capped). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly remoteAddress: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export type HttpHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface TransportOptions {
  readonly host: string;
  /** 0 picks a free port; listen() reports the real one. */
  readonly port: number;
  /** Path of the WebSocket route, e.g. `/ws`. */
  readonly wsPath: string;
  /**
   * Larger frames close the socket with 1009 and never reach handlers.message. `ws` refuses them
   * at the frame header; uWS.js reads up to 64 KiB past the cap so it can send the 1009 frame, and
   * refuses larger ones at the header by dropping the connection (the client then sees 1006).
   */
  readonly maxPayloadBytes: number;
  /** Larger HTTP bodies are answered 413 without being buffered. */
  readonly maxHttpBodyBytes: number;
  /** Sockets silent this long (no frame, no pong to the transport's own pings) are closed. */
  readonly idleTimeoutSeconds: number;
  /** PEM files; with them the transport serves wss/https, without them ws/http. */
  readonly tls?: { readonly keyFile: string; readonly certFile: string; readonly passphrase?: string };
}

/** A WebSocket + HTTP server. Register routes, then listen. */
export interface Transport {
  readonly kind: 'uws' | 'ws';
  /** Register an HTTP route (exact path). Unknown paths get 404. */
  route(method: 'GET' | 'POST' | 'DELETE', path: string, handler: HttpHandler): void;
  listen(): Promise<{ readonly port: number }>;
  /** Send to every socket subscribed to the topic (bytes copied, as by send()). */
  publish(topic: string, bytes: Uint8Array): void;
  /** Stop listening. Open sockets are the caller's to close first. */
  close(): Promise<void>;
}

/** Builds a transport; uws.ts and ws.ts each export one. */
export type TransportFactory = <T>(options: TransportOptions, handlers: SocketHandlers<T>) => Transport;
