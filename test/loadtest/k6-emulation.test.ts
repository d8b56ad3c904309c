/**
 * The k6 emulation behaves as k6 v2.2.0's source says, where the browser API (and @types/k6 2.3.0)
 * would say otherwise: small k6 scripts probe it and log what they saw. The k6 source line behind
 * each expectation is named beside it (grafana/k6, internal/js/modules/k6/...).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { NodeBehaviour } from './support/k6-realm.ts';
import type { K6Records } from './support/k6-runtime.ts';
import { runInK6Realm } from './support/realm-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'tickforge-k6-emulation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

type Probed = { logged: unknown[]; records: K6Records } | { error: string };

/** Run k6 scripts for one iteration each, in one realm process; what each logged, parsed. */
async function probes(...scripts: { source: string; node?: NodeBehaviour }[]): Promise<Probed[]> {
  const jobs = scripts.map(({ source, node }) => {
    const bundle = join(dir, `script-${++count}.js`);
    writeFileSync(bundle, source);
    return { kind: 'iteration' as const, bundle, env: {}, frames: [], node: node ?? {} };
  });
  return (await runInK6Realm(jobs)).map((result) => {
    if (!result.ok) return { error: result.error };
    const records = (result as { records: K6Records }).records;
    const logged = records.warnings
      .filter((line) => line.startsWith('info: '))
      .map((line) => JSON.parse(line.slice('info: '.length)) as unknown);
    return { logged, records };
  });
}

async function probe(source: string, node: NodeBehaviour = {}) {
  const [result] = await probes({ source, node });
  if (!result || 'error' in result) throw new Error(result?.error ?? 'no result');
  return result;
}

describe('emulated k6/websockets (websockets.go, params.go)', () => {
  it('has no readyState constants and a read-only numeric readyState, as before v2.3.0', async () => {
    const { logged } = await probe(`
      import { WebSocket } from 'k6/websockets';
      export default function () {
        const ws = new WebSocket('ws://game.test/ws');
        const seen = { static: typeof WebSocket.OPEN, instance: typeof ws.OPEN, initial: ws.readyState };
        try { ws.readyState = 1; seen.assign = 'allowed'; } catch (e) { seen.assign = e.constructor.name; }
        ws.addEventListener('open', () => { seen.open = ws.readyState; ws.close(); });
        ws.addEventListener('close', () => { seen.closed = ws.readyState; console.log(JSON.stringify(seen)); });
      }`);
    // defineWebsocket: readyState is an accessor without a setter; the constants arrive in
    // defineReadyStateProperties (grafana/k6#6306, documented for v2.3.0).
    expect(logged).toEqual([
      { static: 'undefined', instance: 'undefined', initial: 0, assign: 'TypeError', open: 1, closed: 3 },
    ]);
  });

  it('delivers binary messages as a Blob until binaryType is "arraybuffer", and refuses other types', async () => {
    const frame = { at: 1, base64: Buffer.from([0x91, 0x0e]).toString('base64') };
    const bundle = join(dir, 'binary.js');
    writeFileSync(
      bundle,
      `import { WebSocket } from 'k6/websockets';
      export default function () {
        const ws = new WebSocket('ws://game.test/ws');
        const seen = { initial: ws.binaryType };
        try { ws.binaryType = 'text'; } catch (e) { seen.refused = String(e.message); }
        ws.addEventListener('message', (e) => {
          seen.data = 'byteLength' in e.data ? 'ArrayBuffer' : 'Blob of ' + e.data.size;
          seen.origin = e.origin;
          ws.close();
        });
        ws.addEventListener('close', () => console.log(JSON.stringify(seen)));
      }`,
    );
    const [result] = await runInK6Realm([{ kind: 'iteration', bundle, env: {}, frames: [frame] }]);
    const logged = (result as { records: K6Records }).records.warnings;
    expect(logged.map((l) => JSON.parse(l.slice(6)))).toEqual([
      {
        initial: 'blob',
        refused: 'unknown binaryType text, the supported ones are "blob" and "arraybuffer"',
        data: 'Blob of 2',
        origin: 'ws://game.test/ws',
      },
    ]);
  });

  it('gives close events a code only when a closing frame carried one, after an error event for codes other than 1000/1001', async () => {
    const script = `
      import { WebSocket } from 'k6/websockets';
      export default function () {
        const ws = new WebSocket('ws://game.test/ws');
        const events = [];
        ws.addEventListener('error', (e) => events.push({ type: e.type, error: e.error }));
        ws.addEventListener('close', (e) => {
          events.push({ type: e.type, code: 'code' in e ? e.code : 'absent', reason: e.reason });
          console.log(JSON.stringify(events));
        });
      }`;
    const [slow, normal, dropped] = await probes(
      { source: script, node: { closeAt: { ms: 10, code: 4008, reason: 'slow client' } } },
      { source: script, node: { closeAt: { ms: 10, code: 1000, reason: 'match over' } } },
      { source: script, node: { dropAtMs: 10 } },
    );
    expect(slow).toMatchObject({
      logged: [
        [
          { type: 'error', error: 'websocket: close 4008: slow client' },
          { type: 'close', code: 4008, reason: 'slow client' },
        ],
      ],
    });
    expect(normal).toMatchObject({ logged: [[{ type: 'close', code: 1000, reason: 'match over' }]] });
    expect(dropped).toMatchObject({ logged: [[{ type: 'close', code: 'absent', reason: '' }]] });
  });

  it('sends `protocols`, and fails the dial when a Sec-WebSocket-Protocol header comes too (gorilla)', async () => {
    const { records } = await probe(`
      import { WebSocket } from 'k6/websockets';
      export default function () {
        new WebSocket('ws://game.test/a', 'tickforge.v1');
        new WebSocket('ws://game.test/b', ['tickforge.v1'], { headers: { 'Sec-WebSocket-Protocol': 'tickforge.v1' } });
      }`);
    const [a, b] = records.sockets;
    expect(a).toMatchObject({ offered: ['tickforge.v1'], protocol: 'tickforge.v1', errors: [] });
    expect(b!.errors).toEqual(['websocket: duplicate header not allowed: Sec-Websocket-Protocol']);
    expect(b!.closed).toMatchObject({ by: 'client', reason: '' });
    expect(b!.closed!.code).toBeUndefined();
  });

  it('refuses params other than headers, tags, jar and compression, and a WebSocket in the init context', async () => {
    const [option, init] = await probes(
      {
        source: `import { WebSocket } from 'k6/websockets';
          export default function () { new WebSocket('ws://game.test/ws', null, { timeout: '5s' }); }`,
      },
      {
        source: `import { WebSocket } from 'k6/websockets';
          new WebSocket('ws://game.test/ws');
          export default function () {}`,
      },
    );
    expect(option).toEqual({ error: "Error: unknown WebSocket's option timeout" });
    expect(init).toEqual({ error: 'Error: WebSocket can only be used in the VU context' });
  });
});

describe('emulated k6/metrics and timers (metrics.go, registry.go, tc55/timers)', () => {
  it('keeps the registry rules: names, one type per name, init-context creation, no NaN samples', async () => {
    const [ok, badName, twoTypes] = await probes(
      {
        source: `
          import { Counter, Trend } from 'k6/metrics';
          const a = new Counter('shared_name');
          const again = new Counter('shared_name');
          const trend = new Trend('a_trend', true);
          export default function () {
            a.add(true);
            again.add(2, { code: 4008 });
            trend.add(NaN);
            trend.add(null);
            const seen = {};
            try { new Counter('late'); } catch (e) { seen.late = e.message; }
            console.log(JSON.stringify(seen));
          }`,
      },
      {
        source: `import { Trend } from 'k6/metrics'; new Trend('shared-name'); export default function () {}`,
      },
      {
        source: `import { Trend, Rate } from 'k6/metrics'; new Trend('x1'); new Rate('x1'); export default function () {}`,
      },
    );
    if (!ok || 'error' in ok) throw new Error(JSON.stringify(ok));
    const { records, logged } = ok;
    expect(records.metrics.shared_name!.samples).toEqual([
      { value: 1, tags: {} },
      { value: 2, tags: { code: '4008' } },
    ]);
    expect(records.metrics.a_trend).toMatchObject({ type: 'trend', isTime: true, samples: [] });
    expect(records.warnings.filter((w) => w.includes('invalid value'))).toHaveLength(2);
    expect(logged).toEqual([{ late: 'metrics must be declared in the init context' }]);
    expect(badName).toEqual({ error: expect.stringContaining("Invalid metric name: 'shared-name'") });
    expect(twoTypes).toEqual({
      error: expect.stringContaining("metric 'x1' already exists but with type trend, instead of rate"),
    });
  });

  it('gives timers ids from 1, passes extra arguments, and shares them with the global scope', async () => {
    const { logged } = await probe(`
      import { setTimeout as imported } from 'k6/timers';
      export default function () {
        const first = imported((a, b) => console.log(JSON.stringify({ first, args: [a, b], same: imported === setTimeout })), 5, 'x', 2);
      }`);
    expect(logged).toEqual([{ first: 1, args: ['x', 2], same: true }]);
  });
});

describe('emulated k6/websockets over real sockets (k6-socket-bridge.ts)', () => {
  it('follows the same k6 rules as over the fake node: close codes, drops, refusals, text and binary', async () => {
    // A server that closes with 4008 after a text and a binary frame, drops a connection, or
    // refuses the upgrade, by path; it picks the first subprotocol offered.
    const server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (offered) => [...offered][0] ?? false,
      verifyClient: ({ req }, done) => done(req.url !== '/refused', 401),
    });
    server.on('connection', (socket, request) => {
      if (request.url === '/drop') {
        setImmediate(() => socket.terminate());
        return;
      }
      socket.send('hello');
      socket.send(Buffer.from([0x91, 0x0e]));
      socket.close(4008, 'slow client');
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const bundle = join(dir, 'real-sockets.js');
    writeFileSync(
      bundle,
      `import { WebSocket } from 'k6/websockets';
      export const options = {
        scenarios: { probe: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '30s' } },
      };
      export default function () {
        for (const path of ['close', 'drop', 'refused']) {
          const ws = new WebSocket(__ENV.BASE + '/' + path, ['tickforge.v2']);
          ws.binaryType = 'arraybuffer';
          const events = [];
          ws.addEventListener('open', () => events.push({ type: 'open', protocol: ws.protocol }));
          ws.addEventListener('message', (e) =>
            events.push({ type: 'message', data: typeof e.data === 'string' ? e.data : e.data.byteLength }),
          );
          ws.addEventListener('error', (e) => events.push({ type: 'error', error: e.error }));
          ws.addEventListener('close', (e) => {
            events.push({ type: 'close', code: 'code' in e ? e.code : 'absent', reason: e.reason });
            console.log(JSON.stringify({ path, events }));
          });
        }
      }`,
    );
    try {
      const [result] = await runInK6Realm([{ kind: 'scenario', bundle, env: { BASE: base } }]);
      if (!result?.ok) throw new Error(JSON.stringify(result));
      const [vu] = (result as { vus: readonly K6Records[] }).vus;
      const logged = vu!.warnings
        .filter((line) => line.startsWith('info: '))
        .map((line) => JSON.parse(line.slice('info: '.length)) as { path: string; events: unknown[] });
      expect(Object.fromEntries(logged.map(({ path, events }) => [path, events]))).toEqual({
        close: [
          { type: 'open', protocol: 'tickforge.v2' },
          { type: 'message', data: 'hello' },
          { type: 'message', data: 2 },
          { type: 'error', error: 'websocket: close 4008: slow client' },
          { type: 'close', code: 4008, reason: 'slow client' },
        ],
        drop: [
          { type: 'open', protocol: 'tickforge.v2' },
          { type: 'close', code: 'absent', reason: '' },
        ],
        refused: [
          { type: 'error', error: 'websocket: bad handshake' },
          { type: 'close', code: 'absent', reason: '' },
        ],
      });
      expect(vu!.metrics.ws_sessions!.samples).toHaveLength(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
