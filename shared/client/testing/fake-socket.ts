/**
 * A WebSocket a test plays the server for, shared by the SDK's unit tests. Frames the test sends
 * are dispatched synchronously, as a real socket dispatches frames that came in one read.
 */
import { decodeMessage, encodeMessage } from '../../protocol/codec.ts';
import { MessageType } from '../../protocol/codes.ts';

type Listener = (event: unknown) => void;

/** A WebSocket the test plays the server for (pass it as the `WebSocket` option). */
export class FakeSocket {
  static sockets: FakeSocket[] = [];
  static get last(): FakeSocket {
    return FakeSocket.sockets.at(-1)!;
  }
  readonly url: string;
  binaryType = 'blob';
  readyState = 0;
  readonly sent: unknown[][] = [];
  closedWith: number | undefined;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(url: string) {
    this.url = url;
    FakeSocket.sockets.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.#listeners.get(type)?.delete(listener);
  }
  send(bytes: Uint8Array): void {
    this.sent.push(decodeMessage(bytes));
  }
  close(code = 1005, reason = ''): void {
    if (this.readyState >= 2) return;
    this.closedWith = code;
    this.readyState = 2;
    queueMicrotask(() => this.drop(code, reason));
  }
  // The server's side:
  receive(message: unknown[]): void {
    this.readyState = 1;
    this.#dispatch('message', { data: Uint8Array.from(encodeMessage(message)).buffer });
  }
  welcome(token: string, lastSeq = 0): void {
    this.receive([MessageType.WELCOME, 'p1', 'r1', token, 20, 0, [['dot', [['x', 1, 0]]]], 'dots', lastSeq]);
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.#dispatch('close', { code, reason });
  }
  /** A refused upgrade as the ws package reports it. */
  refuse(status: number): void {
    this.#dispatch('error', { message: `Unexpected server response: ${status}` });
    this.drop(1006);
  }
  #dispatch(type: string, event: unknown): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) listener(event);
  }
}

/** Resolves in the next task: after every microtask, and after timers already set for 0 ms. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
