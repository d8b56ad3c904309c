/**
 * The game node's side of an emulated k6 game socket: it replays frames recorded from a real node,
 * but acknowledges the inputs the script actually sent (each state frame's ack is rewritten so the
 * client's ackSeq becomes the highest INPUT seq received so far, as a node that applied them would:
 * SNAPSHOT and DELTA carry it whole, a v2 ROOM_DELTA carries in its ack table, at the slot WELCOME
 * gave, how far it moved since the previous state frame), answers the script's
 * own PINGs, closes the socket after a LEAVE or a match end, and can drop it or refuse the upgrade.
 */
import { decodeMessage, encodeMessage } from '../../../shared/protocol/codec.ts';
import { MessageType, SUBPROTOCOLS } from '../../../shared/protocol/codes.ts';
import type { Dialer } from './k6-websocket.ts';

/** What the fake node does on one socket. */
export interface GameNodeScript {
  /** Server frames to deliver after the socket opens, with their ms since the open. */
  readonly frames: readonly { readonly at: number; readonly bytes: Uint8Array }[];
  /** Drop the connection (no close frame) this long after the open. */
  readonly dropAtMs?: number;
  /** Close the connection with a closing frame this long after the open. */
  readonly closeAt?: { readonly ms: number; readonly code: number; readonly reason: string };
  /** `received`: state frames acknowledge the inputs received so far; `none`: never (ackSeq 0). */
  readonly acks?: 'received' | 'none';
  /** Answer PINGs with PONGs (default true). */
  readonly pongs?: boolean;
  /** Refuse the upgrade: the socket never opens and k6 reports this error. */
  readonly refuse?: string;
}

/** How the node reaches back into the socket. */
export interface NodeSide {
  deliver(bytes: Uint8Array): void;
  /** Close with a closing frame (`code`), or drop the connection (`code` undefined). */
  close(code: number | undefined, reason: string): void;
  schedule(delayMs: number, run: () => void): void;
}

/** The arena node closes every socket this long after MATCH_END, and soon after a LEAVE. */
const MATCH_OVER_CLOSE_MS = 5000;
const LEAVE_CLOSE_MS = 2;
const PONG_DELAY_MS = 10;
/** The upgrade's round trip on the virtual clock. */
const OPEN_DELAY_MS = 5;

/** Sockets that reach a FakeGameNode acting out `script()` (one script per socket). */
export function fakeDialer(script: () => GameNodeScript): Dialer {
  return (request, events, schedule) => {
    const behaviour = script();
    const node = new FakeGameNode(behaviour, {
      deliver: (bytes) => events.deliver(bytes),
      close: (code, reason) => events.closed(code, reason),
      schedule,
    });
    schedule(OPEN_DELAY_MS, () => {
      if (behaviour.refuse !== undefined) return events.refused(behaviour.refuse);
      events.opened(FakeGameNode.accept(request.subprotocols));
      node.opened();
    });
    return {
      send: (_bytes, message) => node.received(message),
      // The node answers the closing frame with the same code.
      close: (code, reason) => schedule(1, () => events.closed(code, reason)),
    };
  };
}

/** One connection as the node sees it. */
export class FakeGameNode {
  readonly #script: GameNodeScript;
  readonly #side: NodeSide;
  #highestSeq = 0;
  /** The ackSeq the client holds after the state frames delivered so far. */
  #ackSent = 0;
  /** This seat's index in ROOM_DELTA ack tables, from the recorded WELCOME. */
  #slot = 0;

  constructor(script: GameNodeScript, side: NodeSide) {
    this.#script = script;
    this.#side = side;
  }

  /** The subprotocol the node picks from what the client offered, as a real node does ('' if none fits). */
  static accept(offered: readonly string[]): string {
    return SUBPROTOCOLS.find((protocol) => offered.includes(protocol)) ?? '';
  }

  /** The socket opened: start the recorded stream. */
  opened(): void {
    const { frames, dropAtMs, closeAt } = this.#script;
    for (const frame of frames) {
      // Recorded PONGs answered the recorder's pings; this node answers the script's own.
      if (frame.bytes[1] === MessageType.PONG) continue;
      this.#side.schedule(frame.at, () => {
        this.#side.deliver(this.#withAcks(frame.bytes));
        if (frame.bytes[1] === MessageType.MATCH_END) {
          this.#side.schedule(MATCH_OVER_CLOSE_MS, () => this.#side.close(1000, 'match over'));
        }
      });
    }
    if (dropAtMs !== undefined) this.#side.schedule(dropAtMs, () => this.#side.close(undefined, ''));
    if (closeAt !== undefined) {
      this.#side.schedule(closeAt.ms, () => this.#side.close(closeAt.code, closeAt.reason));
    }
  }

  /** A binary frame from the client, decoded. */
  received(message: unknown[]): void {
    switch (message[0]) {
      case MessageType.INPUT:
        if (typeof message[1] === 'number') this.#highestSeq = Math.max(this.#highestSeq, message[1]);
        return;
      case MessageType.PING:
        if (this.#script.pongs === false) return;
        this.#side.schedule(PONG_DELAY_MS, () =>
          this.#side.deliver(encodeMessage([MessageType.PONG, message[1], 0, 0])),
        );
        return;
      case MessageType.LEAVE:
        this.#side.schedule(LEAVE_CLOSE_MS, () => this.#side.close(1000, 'left'));
        return;
    }
  }

  /** A recorded frame with the ack set to what this connection's inputs earned. */
  #withAcks(bytes: Uint8Array): Uint8Array {
    const type = bytes[1];
    if (type === MessageType.WELCOME) {
      const slot = decodeMessage(bytes)[9];
      this.#slot = typeof slot === 'number' ? slot : 0;
      return bytes;
    }
    if (type !== MessageType.SNAPSHOT && type !== MessageType.DELTA && type !== MessageType.ROOM_DELTA) {
      return bytes;
    }
    const message = decodeMessage(bytes);
    const ackSeq = this.#script.acks === 'none' ? 0 : this.#highestSeq;
    if (type === MessageType.ROOM_DELTA) {
      // Every other seat's entry stays as recorded: the table is the room's, not this client's.
      const acks = [...(message[3] as number[])];
      while (acks.length <= this.#slot) acks.push(0);
      acks[this.#slot] = ackSeq - this.#ackSent;
      message[3] = acks;
    } else {
      message[type === MessageType.SNAPSHOT ? 2 : 3] = ackSeq;
    }
    this.#ackSent = ackSeq;
    return encodeMessage(message);
  }
}
