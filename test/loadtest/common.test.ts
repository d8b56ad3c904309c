/**
 * The pieces the Node bots and the k6 scripts share: input -> ack timing, the wandering input, and
 * the reading of lobby answers.
 */
import { describe, expect, it } from 'vitest';
import { AckTimer } from '../../loadtest/common/ack-timer.ts';
import { asTicket, LobbyPath, seatUrl } from '../../loadtest/common/lobby-api.ts';
import { Wander } from '../../loadtest/common/wander.ts';

describe('AckTimer', () => {
  it('times each input by the first ack that reaches its seq, continuing after a reconnect', () => {
    const timer = new AckTimer(6); // WELCOME said lastSeq 5
    const latencies: number[] = [];
    const record = (ms: number) => latencies.push(ms);
    timer.sent(100); // seq 6
    timer.sent(150); // seq 7
    timer.sent(200); // seq 8
    timer.acked(5, 210, record);
    expect(latencies).toEqual([]);
    timer.acked(7, 260, record);
    expect(latencies).toEqual([160, 110]);
    timer.acked(7, 300, record);
    timer.acked(8, 330, record);
    expect(latencies).toEqual([160, 110, 130]);
    expect(timer.pending).toBe(0);
  });
});

describe('Wander', () => {
  it('holds a direction for 0.8-1.2 s, within arena bounds', () => {
    const values = [0.5, 0.9, 0.25]; // turn delay, "not still", angle
    let i = 0;
    const wander = new Wander(() => values[i++ % values.length]!);
    const first = wander.next(0);
    expect(first).toEqual({ dx: 0, dy: 1 });
    expect(wander.next(999)).toBe(first);
    expect(wander.next(1000)).not.toBe(first);
  });
});

describe('lobby answers', () => {
  it('build paths and seat URLs with their ids and tokens encoded', () => {
    expect(LobbyPath.around('arena', 'a/b')).toBe('/v1/leaderboards/arena/around/a%2Fb');
    expect(seatUrl({ url: 'ws://n/ws', seat: 'a+b=' })).toBe('ws://n/ws?seat=a%2Bb%3D');
    expect(seatUrl({ url: 'ws://n/ws?region=eu', seat: 's' })).toBe('ws://n/ws?region=eu&seat=s');
  });

  it('require the caller’s reservation on a matched ticket', () => {
    const ticket = { ticketId: 't', status: 'matched', mode: 'arena', expiresAt: 1 };
    expect(() => asTicket(ticket)).toThrow('ticket reservation: expected a JSON object');
    expect(() => asTicket({ ...ticket, status: 'lost' })).toThrow('unknown status "lost"');
    expect(asTicket({ ...ticket, status: 'searching' }).status).toBe('searching');
  });
});
