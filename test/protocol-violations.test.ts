/**
 * docs/PROTOCOL.md's "Protocol violations" table, probe by probe, over a real game node with a real
 * seat on each transport. Hand-built frames over a bare TCP socket (support/ws-probe.ts) do what no
 * WebSocket library would. What the client sees on the wire is the library's to decide and differs
 * per transport; what Tickforge decides (the seat, the count in /metrics, one log line) does not.
 */
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../shared/protocol/codec.ts';
import { MessageType } from '../shared/protocol/codes.ts';
import { startTestNode, stopAll, type TestNode } from './support/game.ts';
import { requireUws, skipUws } from './support/uws.ts';
import {
  closePayload,
  frame,
  Opcode,
  openRaw,
  type ProbeConnection,
  upgradeRaw,
} from './support/ws-probe.ts';

const MAX_PAYLOAD = 1024;
const ping = encodeMessage([MessageType.PING, 1]);
const text = (value: string) => new TextEncoder().encode(value);

interface Violation {
  readonly probe: string;
  readonly bytes: Uint8Array;
  /** The close code a client sees per transport ('ignored': the connection stays open, no reply). */
  readonly sees: { readonly ws: number; readonly uws: number | 'ignored' };
  /** The code the game node's close handler gets, counted in tickforge_socket_closes_total. */
  readonly code: number;
  /** The tickforge_rejected_total reason. */
  readonly reason: string;
  readonly seat: 'released' | 'held';
}

const violations: readonly Violation[] = [
  {
    probe: 'an unmasked frame',
    bytes: frame({ opcode: Opcode.BINARY, payload: ping, masked: false }),
    sees: { ws: 1002, uws: 'ignored' },
    code: 1002,
    reason: 'invalid_frame',
    seat: 'released',
  },
  {
    probe: 'RSV1 set without an extension',
    bytes: frame({ opcode: Opcode.BINARY, payload: ping, rsv1: true }),
    sees: { ws: 1002, uws: 1006 },
    code: 1002,
    reason: 'invalid_frame',
    seat: 'released',
  },
  {
    probe: 'reserved data opcode 0x3',
    bytes: frame({ opcode: 0x3, payload: ping }),
    sees: { ws: 1002, uws: 1006 },
    code: 1002,
    reason: 'invalid_frame',
    seat: 'released',
  },
  {
    probe: 'reserved control opcode 0xB',
    bytes: frame({ opcode: 0xb }),
    sees: { ws: 1002, uws: 1006 },
    code: 1002,
    reason: 'invalid_frame',
    seat: 'released',
  },
  {
    probe: 'a close frame with code 999',
    bytes: frame({ opcode: Opcode.CLOSE, payload: closePayload(999, 'bye') }),
    sees: { ws: 1002, uws: 1005 },
    code: 1002,
    reason: 'invalid_close_code',
    seat: 'released',
  },
  {
    probe: 'a text frame that is not UTF-8',
    bytes: frame({ opcode: Opcode.TEXT, payload: Uint8Array.of(0xc3, 0x28) }),
    sees: { ws: 1007, uws: 1006 },
    code: 1007,
    reason: 'invalid_utf8',
    seat: 'released',
  },
  {
    probe: 'a text frame',
    bytes: frame({ opcode: Opcode.TEXT, payload: text('hello') }),
    sees: { ws: 1003, uws: 1003 },
    code: 1003,
    reason: 'text_frame',
    seat: 'released',
  },
  {
    probe: 'a frame just over the maximum payload',
    bytes: frame({ opcode: Opcode.BINARY, payload: new Uint8Array(MAX_PAYLOAD + 1) }),
    sees: { ws: 1009, uws: 1009 },
    code: 1009,
    reason: 'message_too_big',
    seat: 'held',
  },
  {
    probe: 'a frame more than 64 KiB over the maximum payload',
    bytes: frame({ opcode: Opcode.BINARY, payload: new Uint8Array(MAX_PAYLOAD + 65 * 1024) }),
    sees: { ws: 1009, uws: 1006 },
    code: 1009,
    reason: 'message_too_big',
    seat: 'held',
  },
];

/** One pino line, parsed. */
type LogLine = Record<string, unknown> & { msg: string };

describe.each(['ws', 'uws'] as const)('protocol violations over %s', (transport) => {
  describe.skipIf(transport === 'uws' && skipUws())('', () => {
    let game: TestNode;
    let logs: LogLine[];

    beforeAll(() => {
      if (transport === 'uws') requireUws();
    });
    afterEach(() => stopAll());

    async function start(): Promise<void> {
      logs = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
      game = await startTestNode({ config: { transport, maxPayloadBytes: MAX_PAYLOAD }, log });
    }

    const wsUrl = (query: string) => `ws://127.0.0.1:${game.node.port}/ws?${query}`;

    /** A seated raw connection (WELCOME received) and its reconnect token. */
    async function seated(): Promise<{ connection: ProbeConnection; reconnectToken: string }> {
      const token = await game.tokens.mintSeat({
        playerId: 'p1',
        name: 'probe',
        roomId: 'r1',
        mode: 'arena',
        nodeId: game.node.config.nodeId,
        options: {},
      });
      const connection = await openRaw(wsUrl(`seat=${encodeURIComponent(token)}`));
      const welcome = decodeMessage((await connection.next((f) => f.opcode === Opcode.BINARY)).payload);
      expect(welcome[0]).toBe(MessageType.WELCOME);
      return { connection, reconnectToken: welcome[3] as string };
    }

    /** Whether the seat is still held: a reconnect with its token is welcomed, or refused 410. */
    async function seatAfter(reconnectToken: string): Promise<'held' | 'released'> {
      const result = await upgradeRaw(wsUrl(`reconnect=${encodeURIComponent(reconnectToken)}`));
      if ('refused' in result) {
        expect(result.refused).toMatchObject({
          status: 410,
          body: expect.stringMatching(/^seat no longer held/),
        });
        return 'released';
      }
      const welcome = await result.connection.next((f) => f.opcode === Opcode.BINARY);
      expect(decodeMessage(welcome.payload)[0]).toBe(MessageType.WELCOME);
      result.connection.destroy();
      return 'held';
    }

    async function metric(line: string): Promise<number> {
      const exposition = await (await fetch(`http://127.0.0.1:${game.node.port}/metrics`)).text();
      const found = exposition.split('\n').find((l) => l.startsWith(`${line} `));
      return found ? Number(found.split(' ').at(-1)) : 0;
    }

    const violationLogs = () => logs.filter((l) => l.msg === 'client broke the protocol');

    it.each(violations)('$probe', async (violation) => {
      await start();
      const { connection, reconnectToken } = await seated();
      connection.write(violation.bytes);
      const sees = violation.sees[transport];

      if (sees === 'ignored') {
        // uWS.js never checks the mask bit: it reads the frame as masked and waits for the rest.
        // The node keeps sending state, and a round trip on another connection (/metrics) comes
        // after the server has read the probe.
        const seen = connection.frames.length;
        await connection.next((f) => f.opcode === Opcode.BINARY && connection.frames.indexOf(f) >= seen);
        expect(await metric('tickforge_socket_closes_total{code="1002"}')).toBe(0);
        expect(connection.open).toBe(true);
        expect(connection.count((f) => f.opcode === Opcode.CLOSE)).toBe(0);
        expect(violationLogs()).toEqual([]);
        return;
      }

      expect((await connection.ended).code).toBe(sees);
      expect(await seatAfter(reconnectToken)).toBe(violation.seat);
      expect(await metric(`tickforge_rejected_total{reason="${violation.reason}"}`)).toBe(1);
      expect(await metric(`tickforge_socket_closes_total{code="${violation.code}"}`)).toBe(1);
      expect(violationLogs()).toEqual([
        expect.objectContaining({
          room: 'r1',
          player: 'p1',
          violation: violation.reason,
          code: violation.code,
        }),
      ]);
    });

    it("a close frame with an allowed code, 1002 included, is the client's own close: a drop", async () => {
      await start();
      const { connection, reconnectToken } = await seated();
      connection.write(frame({ opcode: Opcode.CLOSE, payload: closePayload(1002, 'server broke it') }));
      expect((await connection.ended).code).toBe(1002);
      expect(await seatAfter(reconnectToken)).toBe('held');
      expect(await metric('tickforge_socket_closes_total{code="1002"}')).toBe(1);
      expect(await metric('tickforge_rejected_total{reason="invalid_frame"}')).toBe(0);
      expect(violationLogs()).toEqual([]);
    });
  });
});
