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
import { decodeMessage, encodeMessage, encodeValue } from '../shared/protocol/codec.ts';
import { CloseCode, ErrorCode, MessageType } from '../shared/protocol/codes.ts';
import { startTestNode, stopAll, TEST_SECRET, type TestNode } from './support/game.ts';
import { connectRaw, refusal } from './support/raw-client.ts';
import { requireUws, skipUws } from './support/uws.ts';
import { frame, type HttpAnswer, Opcode, upgradeRaw } from './support/ws-probe.ts';

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

      it('admits one of two upgrades racing with the same seat token and refuses the other', async () => {
        game = await start();
        const seat = await game.devSeat();
        const both = await Promise.allSettled([
          connectRaw(seat.url, { query: `seat=${seat.seat}` }),
          connectRaw(seat.url, { query: `seat=${seat.seat}` }),
        ]);
        const admitted = both.filter((r) => r.status === 'fulfilled');
        expect(admitted).toHaveLength(1);
        expect(both.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([
          'Error: upgrade refused: 401',
        ]);
        await admitted[0]!.value.next(MessageType.WELCOME);
      });

      it('admits one of two reconnects racing with the same reconnect token and refuses the other', async () => {
        game = await start();
        const seat = await game.devSeat();
        const first = await connectRaw(seat.url, { query: `seat=${seat.seat}` });
        // [WELCOME, playerId, roomId, reconnectToken, ...]
        const reconnectToken = (await first.next(MessageType.WELCOME))[3] as string;
        const query = `reconnect=${encodeURIComponent(reconnectToken)}`;
        const both = await Promise.allSettled([
          connectRaw(seat.url, { query }),
          connectRaw(seat.url, { query }),
        ]);
        expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(both.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([
          'Error: upgrade refused: 401',
        ]);
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
      it('gives every refusal a text/plain reason; uWS.js answers 431 itself', async () => {
        game = await start({ config: { maxRooms: 1 } });
        const url = (query: string) => `ws://127.0.0.1:${game.node.port}/ws?${query}`;
        const seat = async (claims: { playerId: string; roomId: string; mode?: string }) =>
          `seat=${await game.tokens.mintSeat({
            name: claims.playerId,
            mode: 'solo',
            nodeId: game.node.config.nodeId,
            options: {},
            ...claims,
          })}`;
        const refused = async (target: string, options: Parameters<typeof upgradeRaw>[1] = {}) => {
          const result = await upgradeRaw(target, options);
          if (!('refused' in result)) throw new Error(`${target} was accepted`);
          return result.refused;
        };
        const plain = (answer: HttpAnswer) => ({
          status: answer.status,
          type: answer.headers['content-type'],
          reason: answer.body,
        });
        const textPlain = expect.stringMatching(/^text\/plain/);

        // The one room this node may have, and its only seat, taken; a header just under 4 KiB is fine.
        const taken = await upgradeRaw(url(await seat({ playerId: 'a', roomId: 'solo-1' })), {
          headers: { 'x-pad': 'a'.repeat(3000) },
        });
        if (!('connection' in taken)) throw new Error(`refused: ${taken.refused.status}`);
        const welcome = await taken.connection.next(() => true);
        const reconnect = `reconnect=${encodeURIComponent(decodeMessage(welcome.payload)[3] as string)}`;

        const answers = [
          await refused(url(await seat({ playerId: 'b', roomId: 'r' })), { protocol: 'tickforge.v0' }),
          await refused(url('')),
          await refused(url(await seat({ playerId: 'b', roomId: 'r' })), {
            headers: { origin: 'https://evil.example' },
          }),
          await refused(url(await seat({ playerId: 'b', roomId: 'r', mode: 'chess' }))),
          await refused(`ws://127.0.0.1:${game.node.port}/elsewhere`),
          await refused(url(await seat({ playerId: 'b', roomId: 'solo-1' }))),
          await refused(url(await seat({ playerId: 'b', roomId: 'solo-2' }))),
        ].map(plain);
        expect(answers).toEqual([
          { status: 400, type: textPlain, reason: expect.stringContaining('tickforge.v1') },
          { status: 401, type: textPlain, reason: 'missing seat token (?seat=...)' },
          { status: 403, type: textPlain, reason: 'origin not allowed' },
          { status: 404, type: textPlain, reason: 'unknown game mode "chess"' },
          { status: 404, type: textPlain, reason: 'Not Found' },
          { status: 409, type: textPlain, reason: 'room is full (1 players)' },
          { status: 503, type: textPlain, reason: 'node is at its room limit (1)' },
        ]);

        taken.connection.write(frame({ opcode: Opcode.BINARY, payload: encodeMessage([MessageType.LEAVE]) }));
        await taken.connection.ended;
        expect(plain(await refused(url(reconnect)))).toEqual({
          status: 410,
          type: textPlain,
          reason: expect.stringMatching(/^seat no longer held/),
        });

        // Request headers over 4 KiB, on both transports; the answer is the library's on uWS.js.
        const tooLarge = plain(await refused(url('seat=x'), { headers: { 'x-pad': 'a'.repeat(5000) } }));
        expect(tooLarge).toEqual(
          transport === 'ws'
            ? { status: 431, type: textPlain, reason: 'request headers over 4096 bytes' }
            : {
                status: 431,
                type: undefined,
                reason: expect.stringContaining('Request Header Fields Too Large'),
              },
        );
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

      it('drops pings over the rate with one input_rate ERROR a second, as it does inputs', async () => {
        const frozen = Date.now(); // no refill and one rate window: the burst of 8 is all there is
        game = await start({ now: () => frozen, config: { maxInputsPerSecond: 20, devSeats: true } });
        const socket = await seated();
        for (let i = 1; i <= 20; i++) socket.send(encodeMessage([MessageType.PING, i]));
        // A violation after them: once it closes the socket, every ping before it was handled.
        socket.send(encodeMessage([99]));
        expect((await socket.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
        const pongs = socket.messages.filter((m) => m[0] === MessageType.PONG);
        expect(pongs.map((m) => m[1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        const errors = socket.messages.filter((m) => m[0] === MessageType.ERROR);
        expect(errors).toEqual([
          [MessageType.ERROR, ErrorCode.INPUT_RATE, 'inputs and pings over the allowed rate are dropped'],
        ]);
        expect(await metric('input_rate')).toBe(12);
      });
    });
  });
});
