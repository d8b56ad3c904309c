/**
 * The browser demo at `/`: the built files of client-demo/ (`npm run build:demo`, which `npm start`
 * runs first), served as static files after every API route. Without a build, `/` says how to make one.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { LobbyEnv } from '../types.ts';

/** The page's own scripts and styles only; sockets may go to game nodes on other ports or hosts. */
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Tickforge</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Tickforge lobby</h1><p>The browser demo is not built. Run <code>npm run build:demo</code>
(<code>npm start</code> does it for you) and reload.</p>
<p>The REST API is running: see <a href="/docs">/docs</a>.</p></body>`;

/** Serve `dir` (an absolute path to client-demo/dist) at `/`. */
export function mountDemo(app: Hono<LobbyEnv>, dir: string): void {
  // serveStatic resolves its root against the working directory.
  const root = relative(process.cwd(), dir) || '.';
  app.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html'))
      c.res.headers.set('content-security-policy', CSP);
  });
  app.get('/', async (c, next) => (existsSync(join(dir, 'index.html')) ? next() : c.html(NOT_BUILT)));
  app.use('/*', serveStatic({ root }));
}
