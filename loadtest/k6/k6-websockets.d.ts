/**
 * What @types/k6 2.3.0 leaves out of `k6/websockets`: k6 gives the `close` event the close `code`
 * (when the closing frame carried one) and `reason` (k6's websockets.go, callEventListeners), but the
 * typings give every listener `MessageEvent | ErrorEvent`. This adds the close listener's type, and
 * the socket's `protocol` (the subprotocol the server picked; websockets.go, defineWebsocket).
 */
import 'k6/websockets';

declare module 'k6/websockets' {
  /** The `close` event: `code` is absent when the connection ended without a closing frame. */
  interface CloseEvent {
    readonly type: EventName;
    readonly code?: number;
    readonly reason: string;
    readonly timestamp: number;
  }

  interface WebSocket {
    addEventListener(event: 'close', listener: (event: CloseEvent) => void): void;
    /** The subprotocol the server accepted, '' before the socket opens or when it picked none. */
    readonly protocol: string;
  }
}
