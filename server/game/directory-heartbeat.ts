/**
 * A game node's heartbeat to the room directory: every interval it says it is alive (for a TTL of
 * three intervals), how loaded it is and who sits in each of its rooms, so the lobby can pick a
 * node for a new room, list rooms with their player counts and refuse a full one. Stopping sends
 * one last beat with a zero TTL, so a draining node leaves the directory at once.
 */
import type { Logger } from 'pino';
import { NodeIdTakenError } from '../store/errors.ts';
import type { NodeStatus, RoomDirectory, RoomReport } from '../store/rooms.ts';

/** The part of the room directory a game node writes. */
export type NodeDirectory = Pick<RoomDirectory, 'heartbeat'>;

export interface DirectoryHeartbeatOptions {
  readonly directory: NodeDirectory;
  readonly intervalMs: number;
  readonly log: Logger;
  /** The node as it is right now. */
  readonly status: () => NodeStatus;
  readonly rooms: () => RoomReport[];
}

/** Beats on a timer; `beat()` also runs one at once (tests, and right after start). */
export class DirectoryHeartbeat {
  readonly #options: DirectoryHeartbeatOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;
  #failing = false;

  constructor(options: DirectoryHeartbeatOptions) {
    this.#options = options;
  }

  /**
   * Beat now and then every interval (each beat waits for the last: a slow directory never overlaps).
   * Throws NodeIdTakenError when another live node holds this node id: two processes configured with
   * one TICKFORGE_NODE_ID would otherwise overwrite each other's URL and rooms in the directory.
   */
  async start(): Promise<void> {
    await this.beat(undefined, true);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#inFlight = this.beat().finally(() => {
        this.#inFlight = undefined;
        this.#schedule();
      });
    }, this.#options.intervalMs);
    this.#timer.unref?.();
  }

  /** One heartbeat; a directory fault is logged (once until it recovers), never thrown. */
  async beat(ttlMs = this.#options.intervalMs * 3, refuseTakenId = false): Promise<void> {
    const { directory, log } = this.#options;
    try {
      await directory.heartbeat(this.#options.status(), this.#options.rooms(), ttlMs);
      if (this.#failing) log.info('room directory reachable again');
      this.#failing = false;
    } catch (err) {
      if (err instanceof NodeIdTakenError) {
        if (refuseTakenId) throw err;
        // Later on (this node's beats stopped for a TTL and another took the id): say so every time.
        log.error({ err }, 'room directory refused this node id: another live node holds it');
        this.#failing = true;
        return;
      }
      if (!this.#failing) log.error({ err }, 'room directory heartbeat failed');
      this.#failing = true;
    }
  }

  /** Stop beating and leave the directory. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    // A beat under way must not land after the farewell and register the node again.
    await this.#inFlight;
    await this.beat(0);
  }
}
