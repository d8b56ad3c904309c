/**
 * The id of the lobby request being served, wherever its work goes (store calls, seating), so a
 * log line written deep inside names the request that caused it. Set by observeRequests.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const requestIds = new AsyncLocalStorage<string>();

/** `{ reqId }` inside a request, `{}` outside one (the matchmaking timer). */
export function requestContext(): { reqId?: string } {
  const reqId = requestIds.getStore();
  return reqId === undefined ? {} : { reqId };
}
