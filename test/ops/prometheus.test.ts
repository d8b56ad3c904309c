/**
 * The shipped Prometheus config and Grafana dashboard against a real Prometheus (Debian's
 * `prometheus` package). `promtool check config` passes on deploy/prometheus/prometheus.yml; then a
 * Prometheus on a free port scrapes a running Tickforge (lobby and game node, with the metrics
 * token) while SDK bots matchmake through the lobby and play, and every PromQL query of every
 * dashboard panel must run without error and return at least one series. Skipped only where the
 * package is missing and CI is not set; under CI=true it always runs.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBots } from '../../loadtest/bots/run.ts';
import { PROMETHEUS, PROMTOOL, prometheusInstalled } from '../support/prom-text.ts';
import { startTestTickforge, type TestTickforge } from '../support/tickforge.ts';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const CONFIG = join(DEPLOY, 'prometheus/prometheus.yml');
const DASHBOARD = join(DEPLOY, 'grafana/tickforge.json');
const TOKEN = 'a-metrics-token-for-prometheus';

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The shipped config with its targets pointed at this test's servers and a 1 s scrape interval. */
async function configFor(lobby: string, node: string): Promise<string> {
  const shipped = await readFile(CONFIG, 'utf8');
  if (!/127\.0\.0\.1:2568/.test(shipped) || !/127\.0\.0\.1:2567/.test(shipped)) {
    throw new Error('the shipped config no longer scrapes 127.0.0.1:2568 and :2567: update this test');
  }
  return shipped
    .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
    .replace(/(["'])127\.0\.0\.1:2568\1/, `"${lobby}"`)
    .replace(/(["'])127\.0\.0\.1:2567\1/, `"${node}"`);
}

describe.skipIf(!prometheusInstalled())('Prometheus and the Grafana dashboard', () => {
  let dir = '';
  let tickforge: TestTickforge | undefined;
  let prometheus: ChildProcess | undefined;
  let api = '';
  const stopBots = new AbortController();
  let bots: Promise<unknown> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickforge-prometheus-'));
    await writeFile(join(dir, 'metrics-token'), TOKEN);
    tickforge = await startTestTickforge({
      TICKFORGE_METRICS_TOKEN: TOKEN,
      TICKFORGE_ROOM_OPTIONS: '{"arena":{"matchSeconds":600}}',
      TICKFORGE_RATE_LIMIT_GUEST_PER_MIN: '0',
    });
    const lobby = new URL(tickforge.lobbyUrl).host;
    await writeFile(join(dir, 'prometheus.yml'), await configFor(lobby, `127.0.0.1:${tickforge.node.port}`));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`prometheus: ${chunk}`));
    bots = runBots(
      {
        url: `http://127.0.0.1:${tickforge.node.port}`,
        lobby: tickforge.lobbyUrl,
        clients: 4,
        roomSize: 2,
        durationSeconds: 120,
        warmupSeconds: 0,
        mode: 'arena',
        inputRate: 10,
        rampPerSecond: 20,
        raw: false,
        roomOptions: {},
        runId: 'prometheus',
      },
      { signal: stopBots.signal },
    ).catch((error: unknown) => error);
    await vi.waitFor(
      async () => {
        const ready = await fetch(`${api}/-/ready`);
        expect(ready.status).toBe(200);
      },
      { timeout: 20_000, interval: 200 },
    );
  }, 40_000);

  afterAll(async () => {
    stopBots.abort();
    await bots;
    prometheus?.kill('SIGTERM');
    await tickforge?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`the shipped config passes ${PROMTOOL} check config`, async () => {
    await copyFile(CONFIG, join(dir, 'shipped.yml'));
    const { stdout } = await run(PROMTOOL, ['check', 'config', join(dir, 'shipped.yml')]);
    expect(stdout).toContain('SUCCESS');
  });

  it('scrapes the lobby and the game node with the token', async () => {
    await vi.waitFor(
      async () => {
        const { data } = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
          data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
        };
        const health = Object.fromEntries(data.activeTargets.map((t) => [t.labels.job, t.health]));
        expect(health, JSON.stringify(data.activeTargets.map((t) => t.lastError))).toEqual({
          'tickforge-lobby': 'up',
          'tickforge-node': 'up',
        });
      },
      { timeout: 20_000, interval: 500 },
    );
  });

  it('answers every panel query of the dashboard with data, under bot load', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const queries = dashboard.panels
      .filter((panel) => panel.type !== 'row')
      .flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
    expect(queries.length).toBeGreaterThanOrEqual(18);
    const empty = async () => {
      const failing: string[] = [];
      for (const { panel, expr } of queries) {
        const response = await fetch(`${api}/api/v1/query?${new URLSearchParams({ query: expr })}`);
        const body = (await response.json()) as {
          status: string;
          error?: string;
          data?: { result: unknown[] };
        };
        if (body.status !== 'success') throw new Error(`${panel}: ${expr}: ${body.error}`);
        if ((body.data?.result.length ?? 0) === 0) failing.push(`${panel}: ${expr}`);
      }
      return failing;
    };
    await vi.waitFor(async () => expect(await empty()).toEqual([]), { timeout: 45_000, interval: 1000 });
  }, 60_000);
});
