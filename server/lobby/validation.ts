/**
 * Request validation on the shared Ajv instance: `validate(target, schema)` checks the JSON body,
 * the query or the path parameters against a TypeBox schema (compiled once, when the route is
 * declared) and leaves the typed value for `c.req.valid(target)`. Failures are 400 problems that
 * name the fields by JSON Pointer (`/body/name`, `/query/limit`); a body that is not JSON is a 400
 * too, never a 500.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { MiddlewareHandler } from 'hono';
import { fieldProblems } from '../problem.ts';
import { ajv, isJsonContentType } from '../validation.ts';
import { MalformedJsonError, UnsupportedMediaTypeError, ValidationError } from './errors.ts';
import type { LobbyEnv } from './types.ts';

/** Where a validated value comes from. */
export type ValidationTarget = 'json' | 'query' | 'param';

const POINTER_PREFIX: Record<ValidationTarget, string> = { json: '/body', query: '/query', param: '/path' };

type Validated<T extends ValidationTarget, S extends TSchema> = {
  in: { [K in T]: Static<S> };
  out: { [K in T]: Static<S> };
};

/**
 * Middleware that validates one part of the request.
 * @example
 * app.post('/v1/auth/guest', validate('json', GuestRequest), (c) => c.json(c.req.valid('json')));
 */
export function validate<T extends ValidationTarget, S extends TSchema>(
  target: T,
  schema: S,
): MiddlewareHandler<LobbyEnv, string, Validated<T, S>> {
  const check = ajv.compile<Static<S>>(schema);
  const prefix = POINTER_PREFIX[target];
  return async (c, next) => {
    const value = target === 'json' ? await readJson(c.req) : readUrlPart(target, c.req);
    if (!check(value)) throw new ValidationError(fieldProblems(check.errors, prefix));
    c.req.addValidatedData(target, value as object);
    await next();
  };
}

/** The URL parts of a request, each with its schema. */
type UrlSchemas = { readonly param?: TSchema; readonly query?: TSchema };

type ValidatedUrl<P extends UrlSchemas> = {
  in: { [K in keyof P]: P[K] extends TSchema ? Static<P[K]> : never };
  out: { [K in keyof P]: P[K] extends TSchema ? Static<P[K]> : never };
};

/**
 * One middleware that validates the path parameters, then the query: what `validate('param', ...)`
 * followed by `validate('query', ...)` does, in one layer (the public reads are the hot path, and
 * each layer is an async step of its own).
 * @example
 * app.get('/v1/leaderboards/:boardId/top', validateUrl({ param: Params, query: Query }), handler);
 */
export function validateUrl<P extends UrlSchemas>(
  schemas: P,
): MiddlewareHandler<LobbyEnv, string, ValidatedUrl<P>> {
  const parts = (['param', 'query'] as const).flatMap((target) => {
    const schema = schemas[target];
    return schema ? [{ target, check: ajv.compile(schema), prefix: POINTER_PREFIX[target] }] : [];
  });
  return async (c, next) => {
    for (const { target, check, prefix } of parts) {
      const value = readUrlPart(target, c.req);
      if (!check(value)) throw new ValidationError(fieldProblems(check.errors, prefix));
      c.req.addValidatedData(target, value as object);
    }
    await next();
  };
}

type Request = Parameters<MiddlewareHandler<LobbyEnv>>[0]['req'];

function readUrlPart(target: 'param' | 'query', req: Request): unknown {
  if (target === 'param') return req.param();
  const url = req.url;
  const at = url.indexOf('?');
  if (at === -1) return {};
  const single = req.query();
  // A repeated key stays an array, so a schema expecting one string refuses `?a=1&a=2`. The
  // common case (no repeats: as many keys as non-empty `&`-separated parts) skips building them.
  if (Object.keys(single).length === countQueryParts(url, at + 1)) return single;
  const entries = Object.entries(req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]);
  return Object.fromEntries(entries);
}

/** How many non-empty `&`-separated parts the query from `start` has, without splitting it. */
function countQueryParts(url: string, start: number): number {
  let parts = 0;
  let partStart = start;
  for (let i = start; i <= url.length; i++) {
    if (i === url.length || url.charCodeAt(i) === 38 /* & */) {
      if (i > partStart) parts++;
      partStart = i + 1;
    }
  }
  return parts;
}

async function readJson(req: Request): Promise<unknown> {
  // JSON is UTF-8 (RFC 8259): a body declared as anything else would be read wrongly.
  if (!isJsonContentType(req.header('content-type'))) throw new UnsupportedMediaTypeError();
  const text = await req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedJsonError();
  }
}
