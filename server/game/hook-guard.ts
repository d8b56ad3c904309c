import type { Logger } from 'pino';
import type { GameMetrics } from './metrics.ts';

/**
 * The containment boundary around a room's game hooks: a hook that throws is counted and logged
 * with the room's context, and never takes down the tick, the node or other rooms.
 */
export class HookGuard {
  readonly #metrics: GameMetrics;
  readonly #log: Logger;
  readonly #room: string;
  readonly #mode: string;

  constructor(metrics: GameMetrics, log: Logger, room: string, mode: string) {
    this.#metrics = metrics;
    this.#log = log;
    this.#room = room;
    this.#mode = mode;
  }

  /** Run a game hook inside the boundary. True when it returned normally. */
  run(name: string, run: () => void): boolean {
    try {
      run();
      return true;
    } catch (error) {
      this.failed(name, error);
      return false;
    }
  }

  /** Report a hook that threw; for callers that contain it inline to avoid a closure per call. */
  failed(name: string, error: unknown): void {
    this.#metrics.hookErrors.labels(name).inc();
    this.#log.error({ room: this.#room, mode: this.#mode, hook: name, err: error }, 'room hook threw');
  }
}
