import { describe, expect, it } from 'vitest';
import type { MatchSender, SendOutcome } from './match-delivery.ts';
import { failoverSender } from './match-failover.ts';
import type { MatchReport } from './room.ts';

const report = { matchId: 'm1' } as MatchReport;
const signal = new AbortController().signal;

/** A sender that answers with `outcomes` in turn and records that it was asked. */
function scripted(name: string, calls: string[], ...outcomes: SendOutcome[]): MatchSender {
  return async () => {
    calls.push(name);
    return outcomes.shift() ?? { kind: 'delivered' };
  };
}

describe('failoverSender', () => {
  it('stays with a lobby that answers and moves on from one that must be retried', async () => {
    const calls: string[] = [];
    const down: SendOutcome = { kind: 'retry', reason: 'network', detail: 'ECONNREFUSED' };
    const send = failoverSender([scripted('a', calls, { kind: 'delivered' }, down), scripted('b', calls)]);
    expect(await send(report, signal)).toEqual({ kind: 'delivered' });
    expect(await send(report, signal)).toEqual(down);
    expect(await send(report, signal)).toEqual({ kind: 'delivered' });
    expect(await send(report, signal)).toEqual({ kind: 'delivered' });
    expect(calls).toEqual(['a', 'a', 'b', 'b']);
  });

  it('keeps a refusal with the lobby that gave it', async () => {
    const calls: string[] = [];
    const send = failoverSender([
      scripted('a', calls, { kind: 'refused', reason: 'status 422' }),
      scripted('b', calls),
    ]);
    expect((await send(report, signal)).kind).toBe('refused');
    await send(report, signal);
    expect(calls).toEqual(['a', 'a']);
  });
});
