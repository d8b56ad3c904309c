/**
 * GET /metrics on the lobby: the Prometheus exposition, behind a bearer token when one is set
 * (TICKFORGE_METRICS_TOKEN, the same token as the game node's /metrics).
 */
import type { Hono } from 'hono';
import { bearerKeyCheck } from '../../bearer.ts';
import { UnauthorizedError } from '../errors.ts';
import type { LobbyEnv } from '../types.ts';
import type { LobbyMetrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

/** Mount GET /metrics. */
export function mountMetrics(app: Hono<LobbyEnv>, metrics: LobbyMetrics, token: string | undefined): void {
  const allowed = token ? bearerKeyCheck([token]) : () => true;
  app.get(METRICS_PATH, async (c) => {
    if (!allowed(c.req.header('authorization'))) {
      throw new UnauthorizedError('The metrics need the metrics token (Authorization: Bearer <token>).');
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.registry.contentType });
  });
}
