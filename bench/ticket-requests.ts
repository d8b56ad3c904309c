/**
 * Ticket creations for autocannon, shared by `bench:lobby` and `bench/ticket-ab.ts`: POST
 * /v1/matchmaking/tickets, each request with the next of `tokens` (a player queues only once), so
 * every request carries a fresh player's token as in production.
 */
import type autocannon from 'autocannon';

export function ticketCreations(
  url: string,
  tokens: readonly string[],
  onAnswer?: () => void,
): autocannon.Options {
  let next = 0;
  return {
    url,
    amount: tokens.length,
    requests: [
      {
        method: 'POST',
        path: '/v1/matchmaking/tickets',
        body: JSON.stringify({ mode: 'arena', rating: 1500 }),
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[next++ % tokens.length]}`,
          },
        }),
        ...(onAnswer ? { onResponse: onAnswer } : {}),
      },
    ],
  };
}
