/**
 * Match reports to several lobbies: each report goes to the current one, and an attempt that must
 * be retried moves on to the next, so a dead lobby holds nothing up while another one answers.
 * The lobbies share one store, which applies each (match, player) once, so a report that reached a
 * lobby that died before answering is counted once however many lobbies it is sent to afterwards.
 */
import type { MatchSender } from './match-delivery.ts';

/** A sender over `senders` (at least one), moving to the next after each failed attempt. */
export function failoverSender(senders: readonly MatchSender[]): MatchSender {
  if (senders.length === 0) throw new Error('failoverSender needs at least one sender');
  let current = 0;
  return async (report, signal) => {
    const outcome = await senders[current]!(report, signal);
    if (outcome.kind === 'retry') current = (current + 1) % senders.length;
    return outcome;
  };
}
