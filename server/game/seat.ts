import type { InputRate } from './input-rate.ts';
import type { Player } from './room.ts';
import type { RoomRuntime } from './room-runtime.ts';
import type { ClientBaseline } from './sync/state-sync.ts';
import type { TransportSocket } from './transport/types.ts';

/** What the game node keeps on each socket. */
export interface SocketData {
  readonly seat: Seat;
  readonly room: RoomRuntime;
  readonly reconnectToken: string;
  /** The client speaks protocol v2: it may get its state in the room's shared ROOM_DELTA. */
  readonly roomFrames?: boolean;
  /**
   * Set when the server starts closing the socket, so the close is not taken for a drop ('server':
   * kicked, 'leave': the player left, 'replaced': a newer connection took the seat), except 'slow',
   * which keeps the seat for the grace period.
   */
  closingBy?: 'server' | 'replaced' | 'leave' | 'slow';
}

export type SeatSocket = TransportSocket<SocketData>;

/** One queued input, waiting for the next tick. */
export interface QueuedInput {
  readonly seq: number;
  readonly input: unknown;
}

/**
 * One player's place in a room: held from the seat token's upgrade until the player leaves or the
 * reconnect grace period runs out, across any number of connections.
 */
export class Seat implements ClientBaseline {
  readonly player: Player;
  readonly sessionId: string;
  /** Index in the room's ROOM_DELTA ack table; the lowest free one, kept until the seat is released. */
  readonly slot: number;
  socket: SeatSocket | undefined;
  /** onJoin has run (the first connection opened). */
  joined = false;
  /** Inputs accepted but not yet applied, oldest first. */
  readonly inputs: QueuedInput[] = [];
  /** Highest input seq accepted. */
  lastSeq = 0;
  /** Highest input seq applied by a tick; sent back in every state frame. */
  ackSeq = 0;
  /** The ackSeq of the last state message sent: a ROOM_DELTA carries how far it moved since. */
  sentAck = 0;
  /** The socket is subscribed to the room's ROOM_DELTA topic (it was on the common baseline). */
  inRoomFrame = false;
  readonly rate: InputRate;
  baselineTick = -1;
  visible: Set<number> | undefined = undefined;
  spareVisible: Set<number> | undefined = undefined;
  /** When the last state frame went out (ms); the slow-consumer timeout counts from it. */
  lastSentAt: number;
  /** Last time an input-rate error was sent, so a flood gets one error a second, not one per input. */
  lastRateErrorAt = Number.NEGATIVE_INFINITY;
  /** The id of the seat token that admitted the player (logged on join and leave); '' for none. */
  seatId = '';
  /** The nonce the seat's current reconnect token carries; rotated on every admitted connection. */
  reconnectNonce = '';
  /** Pending grace-period or first-connection timer. */
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(id: string, name: string, sessionId: string, rate: InputRate, nowMs: number, slot = 0) {
    const seat = this;
    this.slot = slot;
    this.player = {
      id,
      name,
      get connected() {
        return seat.socket !== undefined;
      },
    };
    this.sessionId = sessionId;
    this.rate = rate;
    this.lastSentAt = nowMs;
  }

  /** Stop the pending timer, if any. */
  clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
