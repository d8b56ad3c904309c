/**
 * The SDK on the platform WebSocket (Node's global one, as in browsers) against a server that
 * misbehaves: it must report the problem and close with a code it is allowed to send, never throw.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { GameClient } from '../shared/client/game-client.ts';
import { encodeMessage } from '../shared/protocol/codec.ts';
import { CloseCode, MessageType, SUBPROTOCOL } from '../shared/protocol/codes.ts';

const welcome = encodeMessage([
  MessageType.WELCOME,
  'p1',
  'r1',
  'token',
  20,
  0,
  [['dot', [['x', 1, 0]]]],
  'test',
  0,
]);

describe('GameClient against a misbehaving server', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  async function serve(after: Uint8Array): Promise<{ url: string; closedWith: Promise<number> }> {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => SUBPROTOCOL });
    await new Promise((resolve) => server!.once('listening', resolve));
    const closedWith = new Promise<number>((resolve) =>
      server!.once('connection', (ws) => {
        ws.on('close', (code) => resolve(code));
        ws.send(welcome);
        // Misbehave only once the client speaks (its first ping), so the test is listening by then.
        ws.once('message', () => ws.send(after));
      }),
    );
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`, closedWith };
  }

  it.each([
    ['undecodable bytes', new Uint8Array([0xc1])],
    ['a delta for a baseline it never had', encodeMessage([MessageType.DELTA, 9, 1, 0, [], [], []])],
    ['an unknown message type', encodeMessage([77])],
  ])('%s: emits an error and closes with 4100', async (_name, bytes) => {
    const { url, closedWith } = await serve(bytes);
    const client = await GameClient.connect({ url, seat: 'x', pingIntervalMs: 60_000 });
    const [error, closed] = await Promise.all([client.next('error'), client.next('close')]);
    expect(error.code).toBe('protocol_error');
    expect(closed.code).toBe(CloseCode.CLIENT_CANNOT_APPLY);
    expect(await closedWith).toBe(CloseCode.CLIENT_CANNOT_APPLY);
  });
});
