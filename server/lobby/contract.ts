/**
 * Route contracts: what each lobby route accepts and answers, declared once as data. The routes
 * validate with these TypeBox schemas and the OpenAPI document is generated from the same objects,
 * so the documentation cannot drift from what is enforced. Handlers live apart, in routes/.
 */
import { type TSchema, Type } from '@sinclair/typebox';

/** HTTP methods the lobby serves (lowercase, as in OpenAPI). */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The non-player credentials: game nodes' server key and operators' admin key. */
export type LobbyKeyScheme = 'serverKey' | 'adminKey';

/** One documented answer of a route. */
export interface RouteResponse {
  readonly description: string;
  /** Named schemas (with a `title`) become `#/components/schemas/<title>`. */
  readonly schema?: TSchema;
  /** Defaults to application/json. */
  readonly contentType?: string;
}

/** A route's contract. Paths use Hono's `:param` syntax. */
export interface RouteSpec {
  readonly method: RouteMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Whether the route needs `Authorization: Bearer <access token>`. */
  readonly auth: boolean;
  /** The key the route needs instead (`Authorization: Bearer <key>`); a player token gets 403. */
  readonly key?: LobbyKeyScheme;
  readonly request?: {
    readonly body?: TSchema;
    readonly query?: TSchema;
    readonly params?: TSchema;
  };
  readonly responses: Readonly<Record<number, RouteResponse>>;
}

/** A documented problem+json answer of a route (the body is always ProblemSchema). */
export const problemAnswer = (description: string): RouteResponse => ({
  description,
  contentType: 'application/problem+json',
});

/** Declare a route, keeping the exact schema types for `validate()` and the handlers. */
export function defineRoute<const R extends RouteSpec>(spec: R): R {
  return spec;
}

/** A field at fault in a problem. */
export const FieldProblemSchema = Type.Object(
  {
    field: Type.String({ description: 'JSON Pointer into the request, e.g. /body/name' }),
    message: Type.String(),
  },
  { title: 'FieldProblem', additionalProperties: false },
);

/** RFC 9457 problem details, the body of every error answer (application/problem+json). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Stable URI per kind of problem' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldProblemSchema)),
  },
  { title: 'Problem', additionalProperties: false },
);
