import { describe, expect, it } from 'vitest';
import { SeatTokenError, SeatTokens } from './seat-token.ts';

const secret = new TextEncoder().encode('s'.repeat(40));
const claims = {
  playerId: 'p1',
  name: 'ada',
  roomId: 'r1',
  mode: 'arena',
  nodeId: 'n1',
  options: { seed: 3 },
};

/** What a synchronous verify threw, or undefined. */
function refusal(verify: () => unknown): unknown {
  try {
    verify();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('SeatTokens', () => {
  it('round-trips a seat token once, then refuses it as used', async () => {
    const tokens = new SeatTokens({ secret });
    const token = await tokens.mintSeat(claims);
    expect(tokens.verifySeat(token, 'n1')).toEqual({ ...claims, seatId: expect.any(String) });
    // A seat id the lobby chose comes back as the node reads it (both log it).
    expect(tokens.verifySeat(await tokens.mintSeat({ ...claims, seatId: 'seat-7' }), 'n1')).toEqual({
      ...claims,
      seatId: 'seat-7',
    });
    expect(refusal(() => tokens.verifySeat(token, 'n1'))).toEqual(
      new SeatTokenError(401, 'seat token was already used'),
    );
  });

  it('expires seat tokens on the injected clock, and forgets used ids once they expire', async () => {
    let now = 1_000_000;
    const tokens = new SeatTokens({ secret, now: () => now });
    const token = await tokens.mintSeat(claims, 30);
    now += 31_000;
    expect(refusal(() => tokens.verifySeat(token, 'n1'))).toEqual(
      new SeatTokenError(401, 'seat token expired'),
    );
  });

  it('remembers a used seat id for as long as its token verifies, to the second jose judges by', async () => {
    let now = 1_000_000;
    const tokens = new SeatTokens({ secret, now: () => now });
    // A lifetime in fractions of a second: exp = 1005.5, and jose's rule (exp after the current
    // whole second) accepts the token until 1006.0.
    const token = await tokens.mintSeat(claims, 5.5);
    tokens.verifySeat(token, 'n1');
    now = 1_005_600; // a prune is due, and the token still verifies
    expect(refusal(() => tokens.verifySeat(token, 'n1'))).toEqual(
      new SeatTokenError(401, 'seat token was already used'),
    );
    now = 1_006_000;
    expect(refusal(() => tokens.verifySeat(token, 'n1'))).toEqual(
      new SeatTokenError(401, 'seat token expired'),
    );
  });

  it('refuses tokens for another node (403), of the wrong kind, and lifetimes over 300 s', async () => {
    const tokens = new SeatTokens({ secret });
    const elsewhere = await tokens.mintSeat(claims);
    expect(refusal(() => tokens.verifySeat(elsewhere, 'n2'))).toMatchObject({
      status: 403,
    });
    const reconnect = tokens.mintReconnect({
      playerId: 'p1',
      roomId: 'r1',
      nodeId: 'n1',
      sessionId: 's',
      nonce: 'x',
    });
    expect(refusal(() => tokens.verifySeat(reconnect, 'n1'))).toEqual(
      new SeatTokenError(401, 'not a seat token'),
    );
    await expect(tokens.mintSeat(claims, 3600)).rejects.toThrow(RangeError);
  });

  it('carries the reconnect nonce so a seat can accept each reconnect token once', async () => {
    const tokens = new SeatTokens({ secret });
    const minted = { playerId: 'p1', roomId: 'r1', nodeId: 'n1', sessionId: 's1', nonce: 'n-1' };
    expect(tokens.verifyReconnect(tokens.mintReconnect(minted), 'n1')).toEqual(minted);
  });
});
