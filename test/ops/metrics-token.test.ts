/**
 * TICKFORGE_METRICS_TOKEN guards GET /metrics on both servers of one Tickforge, and the game
 * node's live exposition passes `promtool check metrics` as the lobby's does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusInstalled, promtoolCheckMetrics } from '../support/prom-text.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';

const TOKEN = 'a-metrics-token-of-some-length';
let tickforge: TestTickforge;
beforeAll(async () => {
  tickforge = await startTestTickforge({ TICKFORGE_METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await tickforge.close();
});

const servers = () => ({
  lobby: tickforge.lobbyUrl,
  node: `http://127.0.0.1:${tickforge.node.port}`,
});

describe('TICKFORGE_METRICS_TOKEN', () => {
  for (const server of ['lobby', 'node'] as const) {
    it(`the ${server} refuses /metrics without the token or with another one`, async () => {
      const url = `${servers()[server]}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(
        401,
      );
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain(
        server === 'lobby' ? 'tickforge_lobby_requests_total' : 'tickforge_ticks_total',
      );
    });
  }

  it.skipIf(!prometheusInstalled())('the node passes promtool check metrics on live output', async () => {
    const response = await fetch(`${servers().node}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await promtoolCheckMetrics(await response.text())).toBe('');
  });
});
