/**
 * Which ioredis failures mean "Redis cannot be reached right now" (as opposed to a bad command or a
 * script error): the connection is down or closed, queued commands ran out of reconnection attempts,
 * a command got no answer within the command timeout, or the server answered that it is loading,
 * busy or between masters. Each is worth retrying later.
 */
import { ReplyError } from 'ioredis';

/** Failure names of ioredis itself when it has no connection to send on. */
const CONNECTION_FAILURES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
/** Socket errors while connecting or sending. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** Replies of a server that is up but cannot serve yet (restart, failover, a long script). */
const NOT_SERVING = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/** True when `error` says Redis is out of reach for now. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ReplyError) return NOT_SERVING.test(error.message);
  if (CONNECTION_FAILURES.has(error.name)) return true;
  // Stryker disable next-line StringLiteral: equivalent, no socket code is the empty string or any other default
  if (SOCKET_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return true;
  // ioredis's commandTimeout: the connection is open but the server did not answer in time.
  return /^(Connection is closed|Stream isn't writeable|Command timed out)/.test(error.message);
}
