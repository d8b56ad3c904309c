/**
 * The OpenAPI 3.1 document, generated from the route contracts the lobby validates with (one source
 * of truth). Named schemas (those with a `title`) go to `components.schemas` and are referenced;
 * every route also documents the problem+json answers its middleware can give.
 */
import type { TSchema } from '@sinclair/typebox';
import { ProblemSchema, type RouteResponse, type RouteSpec } from './contract.ts';

type JsonObject = Record<string, unknown>;

/** What the document says about the service. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
}

/** Build the OpenAPI 3.1 document of a set of routes. */
export function buildOpenApi(routes: readonly RouteSpec[], info: OpenApiInfo): JsonObject {
  const schemas: Record<string, JsonObject> = {};
  const ref = (schema: TSchema): JsonObject => {
    const plain = toJson(schema);
    const title = schema.title;
    if (typeof title !== 'string') return plain;
    schemas[title] = plain;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method] = operation(route, ref);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        serverKey: { type: 'http', scheme: 'bearer', description: "The game nodes' shared server key" },
        adminKey: { type: 'http', scheme: 'bearer', description: "The operators' admin key" },
      },
    },
  };
}

function operation(route: RouteSpec, ref: (schema: TSchema) => JsonObject): JsonObject {
  const { body, query, params } = route.request ?? {};
  const parameters = [...parametersOf(params, 'path'), ...parametersOf(query, 'query')];
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = responseOf(response, ref);
  }
  const problemAnswer = (description: string): JsonObject =>
    responseOf({ description, schema: ProblemSchema, contentType: 'application/problem+json' }, ref);
  if (body || query || params) responses['400'] = problemAnswer('Invalid request; `errors` names the fields');
  if (route.auth) responses['401'] = problemAnswer('Missing, invalid or expired access token');
  if (route.key) responses['401'] = problemAnswer('Missing or wrong key');
  if (route.key) responses['403'] = problemAnswer('A valid credential that may not use this route');
  if (body) responses['413'] = problemAnswer('Request body too large');
  if (body) responses['415'] = problemAnswer('Body is not application/json');
  if (route.path.startsWith('/v1/')) {
    responses['429'] = problemAnswer('Too many requests; `Retry-After` says when to come back');
  }
  responses['500'] = problemAnswer('Unexpected server error');
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
    ...(route.key ? { security: [{ [route.key]: [] }] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(body) } } } }
      : {}),
    responses,
  };
}

function responseOf(response: RouteResponse, ref: (schema: TSchema) => JsonObject): JsonObject {
  const contentType = response.contentType ?? 'application/json';
  const schema = response.schema ? ref(response.schema) : undefined;
  return {
    description: response.description,
    ...(schema || response.contentType ? { content: { [contentType]: schema ? { schema } : {} } } : {}),
  };
}

function parametersOf(schema: TSchema | undefined, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: toJson(property),
  }));
}

/** A TypeBox schema as plain JSON (TypeBox's symbol keys dropped). */
function toJson(schema: TSchema): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}
