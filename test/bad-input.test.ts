/**
 * Every kind of bad input, over real sockets: refused upgrades get an HTTP status and reason before
 * any WebSocket exists; protocol violations close with their documented code; bad inputs get an
 * ERROR and the connection stays. Each is counted, and other rooms keep ticking.
 */
import type { JSONSchemaType } from 'ajv';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineRoom, Room } from '../server/game/room.ts';
import { SeatTokens } from '../server/game/seat-token.ts';
import { arena } from '../server/games/arena/index.ts';
import { GameClient } from '../shared/client/game-client.ts';
import { encodeMessage, encodeValue } from '../shared/protocol/codec.ts';
import { CloseCode, ErrorCode, MessageType } from '../shared/protocol/codes.ts';
import { startTestNode, stopAll, TEST_SECRET, type TestNode } from './support/game.ts';
import { connectRaw, refusal } from './support/raw-client.ts';
import { requireUws, skipUws } from './support/uws.ts';

/** A one-seat room for capacity tests. */
class SoloRoom extends Room<{ dot: { x: { type: 'int' } } }, { go: boolean }> {
  override onInput(): void {}
  override update(): void {}
}
const soloInput: JSONSchemaType<{ go: boolean }> = {
  type: 'object',
  properties: { go: { type: 'boolean' } },
  required: ['go'],
  additionalProperties: false,
};
const solo = defineRoom({
  mode: 'solo',
  state: { dot: { x: { type: 'int' } } },
  input: soloInput,
  room: SoloRoom,
  maxPlayers: 1,
});

describe.each(['ws', 'uws'] as const)('bad input over %s', (transport) => {
  describe.skipIf(transport === 'uws' && skipUws())('', () => {
    let game: TestNode;

    beforeAll(() => {
      if (transport === 'uws') requireUws();
    });
    afterEach(() => stopAll());

    const start = (config: Parameters<typeof startTestNode>[0] = {}) =>
      startTestNode({ ...config, rooms: [arena, solo], config: { transport, ...config.config } });
    const metric = async (reason: string): Promise<number> => {
      const text = await (await fetch(`${game.http}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`tickforge_rejected_total{reason="${reason}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const seated = async (body: Record<string, unknown> = {}) => {
      const seat = await game.devSeat(body);
      const socket = await connectRaw(seat.url, { query: `seat=${encodeURIComponent(seat.seat)}` });
      await socket.next(MessageType.WELCOME);
      return socket;
    };

    describe('refused upgrades', () => {
      it('refuses a wrong protocol version with 400 naming the expected one', async () => {
        game = await start();
        const seat = await game.devSeat();
        const { status, body } = await refusal(seat.url, {
          query: `seat=${seat.seat}`,
          protocols: ['tickforge.v0'],
        });
        expect(status).toBe(400);
        expect(body).toContain('tickforge.v1');
      });

      it('refuses a missing, forged, expired or reused seat token with 401', async () => {
        game = await start();
        const url = (await game.devSeat()).url;
        expect((await refusal(url)).status).toBe(401);

        const forger = new SeatTokens({ secret: new TextEncoder().encode('x'.repeat(40)) });
        const claims = {
          playerId: 'p1',
          name: 'p',
          roomId: 'r1',
          mode: 'arena',
          nodeId: game.node.config.nodeId,
          options: {},
        };
        const forged = await refusal(url, { query: `seat=${await forger.mintSeat(claims)}` });
        expect(forged).toEqual({ status: 401, body: 'seat token is invalid' });

        const past = new SeatTokens({ secret: TEST_SECRET, now: () => Date.now() - 120_000 });
        const expired = await refusal(url, { query: `seat=${await past.mintSeat(claims, 30)}` });
        expect(expired).toEqual({ status: 401, body: 'seat token expired' });

        const seat = await game.devSeat();
        const first = await connectRaw(seat.url, { query: `seat=${seat.seat}` });
        await first.next(MessageType.WELCOME);
        expect(await refusal(seat.url, { query: `seat=${seat.seat}` })).toEqual({
          status: 401,
          body: 'seat token was already used',
        });
        expect(await metric('upgrade_refused')).toBeGreaterThanOrEqual(4);
      });

      it('refuses a token for another node, and a foreign Origin, with 403', async () => {
        game = await start();
        const url = (await game.devSeat()).url;
        const claims = {
          playerId: 'p1',
          name: 'p',
          roomId: 'r1',
          mode: 'arena',
          nodeId: 'elsewhere',
          options: {},
        };
        const other = await refusal(url, { query: `seat=${await game.tokens.mintSeat(claims)}` });
        expect(other).toEqual({ status: 403, body: 'seat token is for another game node' });

        const seat = await game.devSeat();
        const origin = await refusal(seat.url, {
          query: `seat=${seat.seat}`,
          origin: 'https://evil.example',
        });
        expect(origin).toEqual({ status: 403, body: 'origin not allowed' });
        // An allowed Origin with the same token still works: the refusal did not consume it.
        const ok = await connectRaw(seat.url, {
          query: `seat=${seat.seat}`,
          origin: 'http://localhost:5173',
        });
        await ok.next(MessageType.WELCOME);
      });

      it('refuses a full room (409), an unknown mode (404) and a node at its room limit (503)', async () => {
        game = await start({ config: { maxRooms: 1 } });
        const first = await game.devSeat({ mode: 'solo', roomId: 'dev-solo-1' });
        await connectRaw(first.url, { query: `seat=${first.seat}` });
        const second = await game.devSeat({ mode: 'solo', roomId: 'dev-solo-1' });
        expect(await refusal(second.url, { query: `seat=${second.seat}` })).toEqual({
          status: 409,
          body: 'room is full (1 players)',
        });
        const unknown = await game.devSeat({ mode: 'chess' });
        expect((await refusal(unknown.url, { query: `seat=${unknown.seat}` })).status).toBe(404);
        const another = await game.devSeat({ mode: 'solo', roomId: 'dev-solo-2' });
        const limit = await refusal(another.url, { query: `seat=${another.seat}` });
        expect(limit.status).toBe(503);
        expect(limit.body).toContain('room limit');
      });
    });

    describe('protocol violations close with their code', () => {
      it.each([
        ['a text frame', 'hello', CloseCode.UNSUPPORTED_DATA, 'text_frame'],
        ['malformed msgpack', new Uint8Array([0xc1]), CloseCode.INVALID_PAYLOAD, 'invalid_msgpack'],
        ['msgpack that is not an array', encodeValue(5), CloseCode.PROTOCOL_ERROR, 'invalid_msgpack'],
        ['an unknown message type', encodeMessage([99, 1]), CloseCode.PROTOCOL_ERROR, 'unknown_type'],
        [
          'an input without its payload',
          encodeMessage([MessageType.INPUT, 1]),
          CloseCode.PROTOCOL_ERROR,
          'malformed_message',
        ],
        [
          'an input with a fractional seq',
          encodeMessage([MessageType.INPUT, 1.5, {}]),
          CloseCode.PROTOCOL_ERROR,
          'malformed_message',
        ],
      ] as const)('%s', async (_name, bytes, code, reason) => {
        game = await start();
        const socket = await seated();
        socket.send(bytes);
        expect((await socket.closed).code).toBe(code);
        expect(await metric(reason)).toBe(1);
      });

      it('an oversized frame closes with 1009 before it is buffered', async () => {
        game = await start({ config: { maxPayloadBytes: 1024 } });
        const socket = await seated();
        socket.send(encodeMessage([MessageType.INPUT, 1, { dx: 0, dy: 0, pad: 'x'.repeat(4096) }]));
        expect((await socket.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
      });
    });

    describe('bad inputs get an ERROR and the connection stays', () => {
      it('rejects wrong field types, unknown fields and stale seqs, naming the problem', async () => {
        game = await start();
        const socket = await seated();
        socket.send(encodeMessage([MessageType.INPUT, 1, { dx: 'left', dy: 0 }]));
        const wrongType = await socket.next(MessageType.ERROR);
        expect(wrongType).toEqual([MessageType.ERROR, ErrorCode.INVALID_INPUT, 'input /dx must be number']);

        socket.messages.length = 0;
        socket.send(encodeMessage([MessageType.INPUT, 2, { dx: 0, dy: 0, x: 500 }]));
        const extra = await socket.next(MessageType.ERROR);
        expect(extra[2]).toContain('(x)');

        socket.messages.length = 0;
        socket.send(encodeMessage([MessageType.INPUT, 5, { dx: 1, dy: 0 }]));
        socket.send(encodeMessage([MessageType.INPUT, 3, { dx: 1, dy: 0 }]));
        const stale = await socket.next(MessageType.ERROR);
        expect(stale[1]).toBe(ErrorCode.STALE_INPUT);

        // Still connected and acknowledged: the next state carries ack 5.
        await expect
          .poll(() => socket.messages.some((m) => m[0] === MessageType.DELTA && m[3] === 5))
          .toBe(true);
        expect(await metric('invalid_input')).toBe(2);
        expect(await metric('stale_input')).toBe(1);
      });

      it('drops an input flood, then closes it with 4009, while other rooms keep ticking', async () => {
        game = await start({ config: { maxInputsPerSecond: 20 } });
        const bystanderSeat = await game.devSeat({ roomId: 'dev-calm-room' });
        const bystander = await GameClient.connect({
          url: bystanderSeat.url,
          seat: bystanderSeat.seat,
          pingIntervalMs: 0,
        });
        const socket = await seated({ roomId: 'dev-flood-room' });
        for (let seq = 1; seq <= 500; seq++)
          socket.send(encodeMessage([MessageType.INPUT, seq, { dx: 1, dy: 0 }]));
        expect((await socket.closed).code).toBe(CloseCode.RATE_LIMITED);
        expect(socket.messages.some((m) => m[0] === MessageType.ERROR && m[1] === ErrorCode.INPUT_RATE)).toBe(
          true,
        );
        expect(await metric('rate_limited_close')).toBe(1);
        const tick = bystander.tick;
        await bystander.next('state', (s) => s.tick > tick + 2);
        bystander.close();
      });
    });
  });
});
