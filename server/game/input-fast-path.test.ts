/**
 * INPUT frames take a fast path that skips decoding and validating the envelope. Every frame must
 * end the same way it would through the general path: queued with the same seq and input, or
 * refused with the same close code.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { handleClientMessage } from './client-messages.ts';
import { GameMetrics } from './metrics.ts';
import type { SeatSocket, SocketData } from './seat.ts';

type Outcome = { queued: [number, unknown] } | { closed: number };

function run(bytes: Uint8Array): Outcome {
  let outcome: Outcome | undefined;
  const seat = { rate: { take: () => 'ok' }, player: { id: 'p' } };
  const room = {
    id: 'r',
    queueInput: (_seat: unknown, seq: number, input: unknown) => {
      outcome = { queued: [seq, input] };
      return undefined;
    },
  };
  const socket = {
    data: { seat, room, reconnectToken: 't' } as unknown as SocketData,
    remoteAddress: '127.0.0.1',
    send: () => true,
    bufferedAmount: () => 0,
    close: (code: number) => {
      outcome = { closed: code };
    },
    terminate() {},
    subscribe() {},
    unsubscribe() {},
  } as SeatSocket;
  const deps = {
    metrics: new GameMetrics(),
    log: pino({ level: 'silent' }),
    now: () => 0,
    serverTime: () => 0,
  };
  handleClientMessage(socket, bytes, true, deps);
  return outcome!;
}

const bytes = (...b: number[]) => new Uint8Array(b);
const float64 = (n: number) => [...new Uint8Array(new Float64Array([n]).buffer).reverse()];

describe('the INPUT fast path', () => {
  it('queues what the general path queues, for every way a seq can be encoded', () => {
    for (const seq of [1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 40]) {
      expect(run(encodeMessage([1, seq, { dx: 1, dy: -0.5 }]))).toEqual({
        queued: [seq, { dx: 1, dy: -0.5 }],
      });
    }
    // A float64 seq holding an integer is an integer to the envelope schema.
    expect(run(bytes(0x93, 0x01, 0xcb, ...float64(7), 0x80))).toEqual({ queued: [7, {}] });
    expect(run(bytes(0x93, 0x01, 0x05, 0xc0))).toEqual({ queued: [5, null] });
  });

  it('refuses what the general path refuses, with its close codes', () => {
    expect(run(bytes(0x93, 0x01, 0x00, 0x80))).toEqual({ closed: 1002 }); // seq 0
    expect(run(bytes(0x93, 0x01, 0xcc, 0x00, 0x80))).toEqual({ closed: 1002 }); // seq 0 as uint8
    expect(run(bytes(0x93, 0x01, 0xcb, ...float64(1.5), 0x80))).toEqual({ closed: 1002 }); // not an integer
    expect(run(bytes(0x93, 0x01, 0x05, 0xc1))).toEqual({ closed: 1007 }); // 0xc1 is not msgpack
    expect(run(bytes(0x93, 0x01, 0x05, 0x80, 0x80))).toEqual({ closed: 1007 }); // trailing bytes
    expect(run(bytes(0x93, 0x01, 0x05))).toEqual({ closed: 1007 }); // truncated: no input
    expect(run(bytes(0x93, 0x01, 0xcd, 0x01))).toEqual({ closed: 1007 }); // truncated seq
    expect(run(encodeMessage([1, 5, {}, 'extra']))).toEqual({ closed: 1002 });
    expect(run(encodeMessage([1, -3, {}]))).toEqual({ closed: 1002 });
  });
});
