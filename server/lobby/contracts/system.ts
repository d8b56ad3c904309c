/** Contracts of the operational routes: liveness, readiness and the API description itself. */
import { Type } from '@sinclair/typebox';
import { defineRoute, problemAnswer } from '../contract.ts';

/** Body of /health and /ready. */
export const StatusResponse = Type.Object(
  { status: Type.Union([Type.Literal('ok'), Type.Literal('ready')]) },
  { title: 'Status', additionalProperties: false },
);

/** Routes outside /v1: probes and documentation. */
export const systemRoutes = {
  health: defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness: the process is serving',
    tag: 'system',
    auth: false,
    responses: { 200: { description: 'Alive', schema: StatusResponse } },
  }),
  ready: defineRoute({
    method: 'get',
    path: '/ready',
    operationId: 'getReady',
    summary: 'Readiness: the store answers',
    tag: 'system',
    auth: false,
    responses: {
      200: { description: 'Ready', schema: StatusResponse },
      503: problemAnswer('Shutting down, or the store does not answer'),
    },
  }),
  openapi: defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI 3.1 document',
    tag: 'system',
    auth: false,
    responses: { 200: { description: 'The OpenAPI document' } },
  }),
  docs: defineRoute({
    method: 'get',
    path: '/docs',
    operationId: 'getDocs',
    summary: 'A human-readable page rendered from /openapi.json',
    tag: 'system',
    auth: false,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  }),
};
