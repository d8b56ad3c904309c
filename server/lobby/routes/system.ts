/** Handlers of the probes and the API description (contracts in ../contracts/system.ts). */
import type { Hono } from 'hono';
import { problem } from '../../problem.ts';
import { systemRoutes } from '../contracts/system.ts';
import { DOCS_PAGE } from '../docs-page.ts';
import { problemResponse } from '../problem.ts';
import type { LobbyDeps, LobbyEnv } from '../types.ts';

/** An id no player has: reading it exercises the store without side effects. */
const PROBE_PLAYER_ID = 'readiness-probe';

/** Mount /health, /ready, /openapi.json and /docs; `openApi` is built once by the caller. */
export function mountSystemRoutes(app: Hono<LobbyEnv>, deps: LobbyDeps, openApi: object): void {
  const { health, ready, openapi, docs } = systemRoutes;
  const document = JSON.stringify(openApi);
  app.get(health.path, (c) => c.json({ status: 'ok' as const }));
  app.get(ready.path, async (c) => {
    if (deps.draining?.()) {
      return problemResponse(problem(503, 'draining', 'Service unavailable', 'The lobby is shutting down.'));
    }
    try {
      await deps.store.players.get(PROBE_PLAYER_ID);
      return c.json({ status: 'ready' as const });
    } catch (error) {
      deps.log.warn({ err: error }, 'readiness probe: store did not answer');
      return problemResponse(problem(503, 'not-ready', 'Service unavailable', 'The store does not answer.'));
    }
  });
  app.get(openapi.path, (c) => c.body(document, 200, { 'content-type': 'application/json' }));
  app.get(docs.path, (c) => c.html(DOCS_PAGE));
}
