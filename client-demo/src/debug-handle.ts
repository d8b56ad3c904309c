/**
 * `window.tickforgeDemo`: a small read-only view of the page's state for browser tests (and the
 * curious, from the console), plus dropConnection() to force a reconnect.
 */
import type { App } from './app.ts';

/** A player as the server last sent it. */
export interface DebugPlayer {
  readonly id: number;
  readonly playerId: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

export interface DemoDebugHandle {
  /** The screen shown: name, menu, searching, arena, results, leaderboard. */
  readonly screen: string;
  readonly playerId: string | undefined;
  readonly roomId: string | undefined;
  /** idle, connecting, connected, reconnecting or closed. */
  readonly connectionState: string;
  /** Successful reconnects in the current match. */
  readonly reconnects: number;
  players(): DebugPlayer[];
  /** The orbs as the server last sent them. */
  orbs(): { x: number; y: number }[];
  /** Close the socket as a network failure would; the client reconnects to the same seat. */
  dropConnection(): void;
}

declare global {
  interface Window {
    tickforgeDemo?: DemoDebugHandle;
  }
}

export function installDebugHandle(app: App): void {
  const handle: DemoDebugHandle = {
    get screen() {
      return app.screen;
    },
    get playerId() {
      return app.match?.playerId ?? app.guest?.playerId;
    },
    get roomId() {
      return app.match?.roomId;
    },
    get connectionState() {
      return app.match?.client.status.state ?? 'idle';
    },
    get reconnects() {
      return app.match?.reconnects ?? 0;
    },
    players() {
      return (app.match?.players() ?? []).map((p) => ({
        id: p.id,
        playerId: p.owner,
        name: p.name,
        x: p.x,
        y: p.y,
        score: p.score,
      }));
    },
    orbs() {
      return app.match?.orbs() ?? [];
    },
    dropConnection() {
      app.match?.dropConnection();
    },
  };
  Object.defineProperty(window, 'tickforgeDemo', { value: Object.freeze(handle), configurable: true });
}
