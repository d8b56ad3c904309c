/**
 * One arena match as the page plays it: the self-reconnecting socket, the local player predicted
 * with arena's own `move` rule (one input per local tick, at the room's tick rate), everyone else
 * interpolated on the server's tick timeline, and clock sync for ping, tick and the countdown.
 * No drawing here: `frame()` says what to draw, the renderer draws it.
 */
import { type ArenaInput, move } from '../../server/games/arena/rules.ts';
import {
  ClockSync,
  type ConnectionStatus,
  Emitter,
  Interpolator,
  type MirrorEntity,
  Predictor,
  ReconnectingClient,
  type SeatReservation,
  type StateUpdate,
} from '../../shared/client/index.ts';

/** A point in world units. */
export interface Position {
  x: number;
  y: number;
}

/** A player as drawn. */
export interface PlayerView {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly hue: number;
  readonly score: number;
  /** The player this page controls. */
  readonly local: boolean;
}

/** What to draw this frame. */
export interface Frame {
  readonly players: readonly PlayerView[];
  readonly orbs: readonly Position[];
  /** The local player's authoritative position, when prediction draws it elsewhere. */
  readonly serverGhost: Position | undefined;
}

/** One line of the match report's results (MATCH_END, docs/PROTOCOL.md). */
export interface MatchResultLine {
  readonly playerId: string;
  readonly name: string;
  readonly score: number;
}

/** Events of an ArenaMatch. */
export interface ArenaMatchEvents {
  status: ConnectionStatus;
  matchEnd: readonly MatchResultLine[];
}

/** Fields of the entities this page reads (the arena's state shape, arena-room.ts). */
type Player = MirrorEntity & {
  owner: string;
  name: string;
  x: number;
  y: number;
  score: number;
  hue: number;
};
type Orb = MirrorEntity & { x: number; y: number };

const isPlayer = (e: MirrorEntity): e is Player => e.type === 'player';
const isOrb = (e: MirrorEntity): e is Orb => e.type === 'orb';

/** A jump no arena player makes in one tick (240 units/s at 20 Hz is 12): an orb respawning. */
const TELEPORT_DISTANCE = 60;
/** A prediction this far off is a surprise worth showing at once rather than sliding across the field. */
const SNAP_DISTANCE = 150;

/** The results of a MATCH_END report, checked field by field (it is data from the network). */
function resultsOf(report: unknown): MatchResultLine[] {
  const results = (report as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  return results.flatMap((r: unknown) => {
    const line = r as Partial<Record<keyof MatchResultLine, unknown>> | null;
    return line && typeof line.playerId === 'string' && typeof line.name === 'string'
      ? [{ playerId: line.playerId, name: line.name, score: Number(line.score) || 0 }]
      : [];
  });
}

/** A match in progress. Create with ArenaMatch.join(). */
export class ArenaMatch extends Emitter<ArenaMatchEvents> {
  readonly client: ReconnectingClient;
  /** Draw the local player where prediction puts it (true) or where the server last said (false). */
  prediction = true;
  /** Draw other entities interpolated (true) or at their latest server state (false). */
  interpolation = true;
  #clock: ClockSync | undefined;
  #interpolator: Interpolator<'x' | 'y'> | undefined;
  #predictor: Predictor<Position, ArenaInput> | undefined;
  #localId: number | undefined;
  #results: readonly MatchResultLine[] | undefined;
  #reconnects = 0;

  /** Connect with a seat from the lobby; resolves once the game node has welcomed us. */
  static async join(reservation: SeatReservation): Promise<ArenaMatch> {
    const match = new ArenaMatch(reservation);
    await match.client.open();
    match.#timing();
    return match;
  }

  private constructor(reservation: SeatReservation) {
    super();
    this.client = new ReconnectingClient({ url: reservation.url, seat: reservation.seat });
    // Listen before open(): the WELCOME and the first snapshot can arrive in one task.
    this.client.on('state', (update) => this.#onState(update));
    this.client.on('status', (status) => this.#onStatus(status));
    this.client.on('matchEnd', (report) => {
      this.#results = resultsOf(report);
      this.emit('matchEnd', this.#results);
    });
  }

  get playerId(): string {
    return this.client.playerId;
  }

  get roomId(): string {
    return this.client.roomId;
  }

  get tickRate(): number {
    return this.client.tickRate;
  }

  /** Successful reconnects so far. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** The results once the match is over. */
  get results(): readonly MatchResultLine[] | undefined {
    return this.#results;
  }

  /** Median round trip in ms, once measured. */
  get ping(): number | undefined {
    return this.#clock?.rtt;
  }

  /** The room's tick on the server now (estimated between pongs). */
  get serverTick(): number {
    const tick = this.#clock?.serverTick();
    return tick === undefined ? this.client.state.tick : Math.floor(tick);
  }

  /** Seconds until the match ends, from the match entity's endTick; undefined before it is known. */
  get secondsLeft(): number | undefined {
    for (const entity of this.client.state.entities.values()) {
      if (entity.type !== 'match') continue;
      const tick = this.#clock?.serverTick() ?? this.client.state.tick;
      return Math.max(0, (Number(entity.endTick) - tick) / this.tickRate);
    }
    return undefined;
  }

  /** Every player in the room's latest state (raw, as the server sent it). */
  players(): Player[] {
    return [...this.client.state.entities.values()].filter(isPlayer);
  }

  /** Every orb in the room's latest state. */
  orbs(): Position[] {
    return [...this.client.state.entities.values()].filter(isOrb).map((o) => ({ x: o.x, y: o.y }));
  }

  /**
   * One local tick: send the input (every tick, even unchanged: each one stands for one server
   * tick) and predict its step. Nothing is sent once the match is over or while disconnected.
   */
  step(input: ArenaInput): void {
    if (this.#results) return;
    const seq = this.client.sendInput(input);
    if (seq !== undefined) this.#predictor?.apply(seq, input);
  }

  /** What to draw at local time `now`; `alpha` is the fraction of the local tick elapsed. */
  frame(now: number, alpha: number): Frame {
    const entities = this.client.state.entities;
    const interpolator = this.#interpolator;
    const sampled =
      this.interpolation && interpolator
        ? interpolator.sample(this.#renderTime(now, interpolator))
        : undefined;
    const players: PlayerView[] = [];
    const orbs: Position[] = [];
    let serverGhost: Position | undefined;
    for (const entity of entities.values()) {
      if (isOrb(entity)) {
        const at = sampled ? sampled.get(entity.id) : entity;
        if (at) orbs.push({ x: at.x, y: at.y });
      } else if (isPlayer(entity)) {
        const local = entity.id === this.#localId;
        let at: Position | undefined = entity;
        if (local && this.prediction && this.#predictor) {
          at = this.#predictor.view(alpha);
          serverGhost = { x: entity.x, y: entity.y };
        } else if (!local && sampled) {
          at = sampled.get(entity.id);
        }
        if (!at) continue; // interpolation has not reached its first sample yet
        const { owner, name, hue, score } = entity;
        players.push({ id: entity.id, owner, name, hue, score, local, x: at.x, y: at.y });
      }
    }
    return { players, orbs, serverGhost };
  }

  /** Leave the room (the seat is released) and stop reconnecting. */
  close(): void {
    this.client.close();
  }

  /** For tests and the demo's own "drop" button: lose the socket as a network failure would. */
  dropConnection(): void {
    this.client.dropConnection('dropped from the page');
  }

  /** The render time on the tick timeline: where the newest states arrive, less the delay. */
  #renderTime(now: number, interpolator: Interpolator<'x' | 'y'>): number {
    const arrival = this.#clock?.arrivalTick(now) ?? this.client.state.tick;
    return interpolator.renderTime(arrival * (1000 / this.tickRate));
  }

  /** Clock sync and interpolation need the tick rate, which the WELCOME brings. */
  #timing(): void {
    if (this.#clock) return;
    this.#clock = new ClockSync({ tickRate: this.tickRate });
    this.#clock.track(this.client);
    this.#interpolator = new Interpolator({
      fields: ['x', 'y'],
      tickRate: this.tickRate,
      teleportDistance: TELEPORT_DISTANCE,
    });
  }

  #onState(update: StateUpdate): void {
    this.#timing();
    const entities = this.client.state.entities;
    let local = this.#localId === undefined ? undefined : entities.get(this.#localId);
    if (!local) {
      local = [...entities.values()].find((e) => isPlayer(e) && e.owner === this.playerId);
      this.#localId = local?.id;
    }
    // Every state message is a sample for everyone else (deltas leave still entities out).
    const time = update.tick * (1000 / this.tickRate);
    this.#interpolator!.record(time, this.#remote(entities.values()));
    if (!local || !isPlayer(local)) return;
    const server = { x: local.x, y: local.y };
    if (!this.#predictor) {
      this.#predictor = new Predictor({
        step: move,
        tickRate: this.tickRate,
        initial: server,
        fields: ['x', 'y'],
        snapDistance: SNAP_DISTANCE,
      });
    } else {
      this.#predictor.reconcile(server, update.ackSeq);
    }
  }

  *#remote(entities: Iterable<MirrorEntity>): Iterable<MirrorEntity> {
    for (const entity of entities) {
      if (entity.id !== this.#localId && (isPlayer(entity) || isOrb(entity))) yield entity;
    }
  }

  #onStatus(status: ConnectionStatus): void {
    if (status.state === 'connected' && status.reconnected) {
      this.#reconnects++;
      // Inputs after the seat's last accepted seq never reached the server: do not replay them.
      this.#predictor?.discardAfter(status.lastSeq);
    }
    this.emit('status', status);
  }
}
