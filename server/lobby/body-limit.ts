/**
 * The request body limit. A body with a Content-Length is judged by that header alone: Node's HTTP
 * parser never delivers more bytes than it announces, and reading the header leaves
 * @hono/node-server's lightweight request alone (Hono's bodyLimit first asks the raw Request for
 * its body stream, which makes the server build a full Request, a third of a small POST's cost).
 * Bodies without one (chunked) go through Hono's bodyLimit, which counts them as they stream.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { payloadTooLarge } from './problem.ts';
import type { LobbyEnv } from './types.ts';

const DECIMAL = /^\d+$/;

/** Middleware answering 413 (problem+json) to a body over `maxBytes`. */
export function limitBody(maxBytes: number): MiddlewareHandler<LobbyEnv> {
  const tooLarge = () => payloadTooLarge(maxBytes);
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || !DECIMAL.test(length) || c.req.header('transfer-encoding') !== undefined) {
      return streamed(c, next);
    }
    return Number(length) > maxBytes ? Promise.resolve(tooLarge()) : next();
  };
}
