/**
 * One player's session in a room, on k6's event loop: open the game WebSocket with the seat, send an
 * input every tick (and a ping every `pingMs`), apply every state message, leave after `sessionMs`
 * (or when the match ends), and record the gameplay metrics. The VU's iteration lasts until the
 * socket is closed and the timers are cleared.
 */
import { check } from 'k6';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import { type ErrorEvent, type MessageEvent, type ReadyState, WebSocket } from 'k6/websockets';
import { CloseCode, SUBPROTOCOL } from '../../../shared/protocol/codes.ts';
import { AckTimer } from '../../common/ack-timer.ts';
import { seatUrl } from '../../common/lobby-api.ts';
import { Wander } from '../../common/wander.ts';
import { GameSession, type ServerMessage } from './game-session.ts';
import * as metric from './gameplay-metrics.ts';
import type { Seat } from './seat.ts';

/** How long a session lasts and how often it pings. */
export interface PlayOptions {
  /** Leave the room after this long (a match end comes first when it is sooner). */
  readonly sessionMs: number;
  /** Ping interval for RTT; 0 disables. */
  readonly pingMs: number;
}

/** After LEAVE, the server closes the socket; close it ourselves if it has not after this long. */
const LEAVE_CLOSE_MS = 3000;
const NO_TIMER = -1;
/**
 * `readyState` of an open socket. k6 gives `readyState` as a number, but the `WebSocket.OPEN`
 * constant only exists from k6 v2.3.0 on (grafana/k6#6306, which @types/k6 2.3.0 declares): on
 * v2.2.0 and earlier `WebSocket.OPEN` is undefined, no comparison with it holds, and a script using
 * it never sends a frame. The number works on every release.
 */
const OPEN: ReadyState = 1;

/** Play one session with `seat`; returns at once, the socket's events do the rest. */
export function play(seat: Seat, options: PlayOptions): void {
  const session = new GameSession();
  const wander = new Wander();
  let acks = new AckTimer();
  // k6's `protocols` argument is reserved (ignored) in the documented API, so the subprotocol is
  // offered through the handshake header. The `name` tag replaces the URL in every ws_* metric:
  // the URL carries the seat token, which must not end up in the results.
  const ws = new WebSocket(seatUrl(seat), null, {
    headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL },
    tags: { name: 'game' },
  });
  ws.binaryType = 'arraybuffer';

  let opened = false;
  let gotSnapshot = false;
  let leaving = false;
  let matchOver = false;
  let broken = false;
  let lastError = '';
  let statesThisSecond = 0;
  let bytesThisSecond = 0;
  let inputTimer = NO_TIMER;
  let pingTimer = NO_TIMER;
  let sampleTimer = NO_TIMER;
  let sessionTimer = NO_TIMER;
  let leaveTimer = NO_TIMER;

  const send = (frame: ArrayBuffer): boolean => {
    if (ws.readyState !== OPEN) return false;
    ws.send(frame);
    return true;
  };
  const stopInputs = () => {
    if (inputTimer !== NO_TIMER) clearInterval(inputTimer);
    if (pingTimer !== NO_TIMER) clearInterval(pingTimer);
    inputTimer = pingTimer = NO_TIMER;
  };
  const leave = () => {
    if (leaving) return;
    leaving = true;
    stopInputs();
    send(session.leave());
    leaveTimer = setTimeout(() => ws.close(CloseCode.NORMAL, 'session over'), LEAVE_CLOSE_MS);
  };
  const fail = () => {
    broken = true;
    metric.protocolErrors.add(1);
    stopInputs();
    ws.close(CloseCode.CLIENT_CANNOT_APPLY, 'client could not apply a server message');
  };

  const onMessage = (message: ServerMessage, now: number) => {
    switch (message.kind) {
      case 'welcome':
        acks = new AckTimer(message.lastSeq + 1);
        inputTimer = setInterval(() => {
          if (matchOver || leaving) return;
          const at = Date.now();
          if (send(session.input(wander.next(at)))) acks.sent(at);
        }, 1000 / message.tickRate);
        if (options.pingMs > 0) {
          // Like the SDK: one ping at once, then one per interval.
          send(session.ping(now));
          pingTimer = setInterval(() => send(session.ping(Date.now())), options.pingMs);
        }
        return;
      case 'state':
        metric.stateMessages.add(1);
        if (!gotSnapshot) {
          gotSnapshot = true;
          metric.ticketToSnapshot.add(now - seat.requestedAt);
          metric.snapshots.add(1);
          // Rates count from the first state: the join itself is what ticketToSnapshot measures.
          statesThisSecond = 0;
          bytesThisSecond = 0;
          sampleTimer = setInterval(() => {
            metric.statesPerSecond.add(statesThisSecond);
            metric.bytesPerSecond.add(bytesThisSecond);
            statesThisSecond = 0;
            bytesThisSecond = 0;
          }, 1000);
        }
        statesThisSecond++;
        acks.acked(message.ackSeq, now, (ms) => {
          metric.inputAck.add(ms);
          metric.ackedInputs.add(1);
        });
        return;
      case 'pong':
        if (!Number.isFinite(message.sentAt)) return;
        metric.rtt.add(now - message.sentAt);
        metric.pongs.add(1);
        return;
      case 'error':
        metric.serverErrors.add(1, { code: message.code });
        return;
      case 'matchEnd':
        // The server closes every socket with 1000 a few seconds after the match ends.
        matchOver = true;
        stopInputs();
        return;
      case 'event':
        return;
    }
  };

  ws.addEventListener('open', () => {
    opened = true;
    // The node picks from what the script offered; anything else means the offer never reached it.
    check(ws, { 'game subprotocol negotiated': (socket) => socket.protocol === SUBPROTOCOL });
    sessionTimer = setTimeout(leave, options.sessionMs);
  });

  ws.addEventListener('message', (event) => {
    const data = (event as MessageEvent).data;
    if (broken) return;
    // A text frame (or a Blob, were binaryType ignored) is not a protocol message.
    if (typeof data === 'string' || !('byteLength' in data)) return fail();
    const now = Date.now();
    bytesThisSecond += data.byteLength;
    metric.receivedBytes.add(data.byteLength);
    let message: ServerMessage;
    try {
      message = session.receive(new Uint8Array(data));
    } catch {
      return fail();
    }
    onMessage(message, now);
  });

  ws.addEventListener('error', (event) => {
    lastError = (event as ErrorEvent).error;
  });

  ws.addEventListener('close', (event) => {
    stopInputs();
    if (sampleTimer !== NO_TIMER) clearInterval(sampleTimer);
    for (const timer of [sessionTimer, leaveTimer]) if (timer !== NO_TIMER) clearTimeout(timer);
    if (!opened) {
      metric.connectFailures.add(1, { error: (lastError || 'closed before open').slice(0, 80) });
      metric.sessionFailed.add(true);
      return;
    }
    const expected = leaving || matchOver || broken;
    if (!expected) metric.disconnects.add(1, { code: String(event.code ?? 1006) });
    metric.sessionFailed.add(!gotSnapshot || broken || !expected);
  });
}
