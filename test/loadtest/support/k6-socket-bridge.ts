/**
 * Real WebSockets for emulated k6 VUs on the wall clock. A VU's thread blocks (k6/http, sleep, the
 * event loop waiting for its next timer), so it cannot run Node's own event loop: the sockets live in
 * the realm's main thread (`serveSockets`, on the `ws` client), and their events cross to the VU over
 * a MessagePort, with an Atomics cell to wake it (`SocketBridge`, the VU's Dialer and the external
 * events its loop waits on). What the VU's script sees is still k6's WebSocket (k6-websocket.ts).
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import WebSocket from 'ws';
import type { ExternalEvents } from './k6-clock.ts';
import type { Dialer, PeerEvents } from './k6-websocket.ts';

/** VU -> main thread. */
type SocketCommand =
  | {
      readonly op: 'open';
      readonly id: number;
      readonly url: string;
      readonly subprotocols: readonly string[];
      readonly headers: Record<string, string>;
    }
  | { readonly op: 'send'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly op: 'close'; readonly id: number; readonly code: number; readonly reason: string };

/** Main thread -> VU. */
type SocketEvent =
  | { readonly id: number; readonly type: 'opened'; readonly protocol: string }
  | { readonly id: number; readonly type: 'refused'; readonly error: string }
  | { readonly id: number; readonly type: 'message'; readonly data: Uint8Array | string }
  | {
      readonly id: number;
      readonly type: 'closed';
      readonly code: number | undefined;
      readonly reason: string;
    };

/** ws reports a connection that ended without a closing frame as 1006; k6 gives no code then. */
const ABNORMAL_CLOSURE = 1006;

/** The VU's side: dials through the main thread, and lets the VU's loop wait for socket events. */
export class SocketBridge implements ExternalEvents {
  readonly #port: MessagePort;
  readonly #cell: Int32Array;
  readonly #sockets = new Map<number, PeerEvents>();
  #ids = 0;

  /** `cell` is set to 1 by the main thread after each event it posts on `port`. */
  constructor(port: MessagePort, cell: SharedArrayBuffer) {
    this.#port = port;
    this.#cell = new Int32Array(cell);
  }

  readonly dial: Dialer = (request, events) => {
    const id = ++this.#ids;
    this.#sockets.set(id, events);
    this.#post({ op: 'open', id, ...request });
    return {
      send: (bytes) => this.#post({ op: 'send', id, bytes }),
      close: (code, reason) => this.#post({ op: 'close', id, code, reason }),
    };
  };

  pending(): boolean {
    return this.#sockets.size > 0;
  }

  poll(): void {
    // Cleared before reading, so an event posted meanwhile sets it again and wakes the next wait.
    Atomics.store(this.#cell, 0, 0);
    for (;;) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) return;
      this.#dispatch(received.message as SocketEvent);
    }
  }

  wait(ms: number): void {
    if (ms > 0) Atomics.wait(this.#cell, 0, 0, ms);
  }

  #post(command: SocketCommand): void {
    this.#port.postMessage(command);
  }

  #dispatch(event: SocketEvent): void {
    const events = this.#sockets.get(event.id);
    if (events === undefined) return;
    switch (event.type) {
      case 'opened':
        events.opened(event.protocol);
        return;
      case 'refused':
        this.#sockets.delete(event.id);
        events.refused(event.error);
        return;
      case 'message':
        events.deliver(event.data);
        return;
      case 'closed':
        this.#sockets.delete(event.id);
        events.closed(event.code, event.reason);
        return;
    }
  }
}

/**
 * The main thread's side for one VU: opens the sockets it asks for and posts their events back.
 * Returns a function that ends every socket still open (when the VU is done or gone).
 */
export function serveSockets(port: MessagePort, cell: SharedArrayBuffer): () => void {
  const wake = new Int32Array(cell);
  const sockets = new Map<number, WebSocket>();
  const post = (event: SocketEvent) => {
    port.postMessage(event);
    Atomics.store(wake, 0, 1);
    Atomics.notify(wake, 0);
  };
  port.on('message', (command: SocketCommand) => {
    switch (command.op) {
      case 'open':
        sockets.set(command.id, open(command, post));
        return;
      case 'send':
        sockets.get(command.id)?.send(command.bytes);
        return;
      case 'close':
        sockets.get(command.id)?.close(command.code, command.reason);
        return;
    }
  });
  return () => {
    port.close();
    for (const socket of sockets.values()) socket.terminate();
  };
}

function open(
  command: Extract<SocketCommand, { op: 'open' }>,
  post: (event: SocketEvent) => void,
): WebSocket {
  const { id } = command;
  // The offer goes through `protocols`, so ws checks the node's choice against it (as gorilla does).
  const socket = new WebSocket(command.url, [...command.subprotocols], { headers: command.headers });
  let opened = false;
  socket.binaryType = 'nodebuffer';
  socket.on('open', () => {
    opened = true;
    post({ id, type: 'opened', protocol: socket.protocol });
  });
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    post({ id, type: 'message', data: isBinary ? new Uint8Array(data) : data.toString('utf8') });
  });
  // gorilla's error for a refused upgrade, whatever the status (k6 puts the status in a tag only).
  socket.on('unexpected-response', () => {
    post({ id, type: 'refused', error: 'websocket: bad handshake' });
    socket.terminate();
  });
  socket.on('error', (error) => {
    if (!opened) post({ id, type: 'refused', error: error.message });
  });
  socket.on('close', (code: number, reason: Buffer) => {
    if (!opened) return;
    post({
      id,
      type: 'closed',
      code: code === ABNORMAL_CLOSURE ? undefined : code,
      reason: reason.toString(),
    });
  });
  return socket;
}
