import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOBBY_ROUTES } from '../../server/lobby/app.ts';
import { GuestRequest, GuestResponse, MeResponse } from '../../server/lobby/contracts/auth.ts';
import { readProblem, startLobby, type TestLobby } from './support.ts';

let lobby: TestLobby;
beforeAll(async () => {
  lobby = await startLobby({ maxBodyBytes: 1024 });
  lobby.app.get('/v1/test-only/boom', () => {
    throw new Error('handler exploded');
  });
});
afterAll(async () => {
  await lobby.close();
});

describe('probes', () => {
  it('GET /health answers ok', async () => {
    const response = await fetch(`${lobby.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 while the store answers, 503 problem once it does not', async () => {
    expect((await fetch(`${lobby.url}/ready`)).status).toBe(200);
    const other = await startLobby();
    await other.store.close();
    try {
      const response = await fetch(`${other.url}/ready`);
      expect(response.status).toBe(503);
      expect(await readProblem(response)).toMatchObject({ status: 503 });
    } finally {
      await other.close();
    }
  });
});

describe('probes while draining', () => {
  it('GET /ready answers 503 draining once shutdown has begun, /health stays 200', async () => {
    let draining = false;
    const other = await startLobby({ draining: () => draining });
    try {
      expect((await fetch(`${other.url}/ready`)).status).toBe(200);
      draining = true;
      const response = await fetch(`${other.url}/ready`);
      expect(response.status).toBe(503);
      expect(await readProblem(response)).toMatchObject({ type: 'https://tickforge.dev/problems/draining' });
      expect((await fetch(`${other.url}/health`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('body media types', () => {
  it('refuses a JSON body declared in another charset with 415', async () => {
    const response = await fetch(`${lobby.url}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: JSON.stringify({ name: 'ada' }),
    });
    expect(response.status).toBe(415);
    const utf8 = await fetch(`${lobby.url}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ name: 'ada' }),
    });
    expect(utf8.status).toBe(201);
  });
});

describe('errors', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(`${lobby.url}/v1/nope`);
    expect(response.status).toBe(404);
    expect(await readProblem(response)).toMatchObject({
      status: 404,
      type: 'https://tickforge.dev/problems/not-found',
    });
  });

  it('answers a throwing handler with a generic 500, logs it, and keeps serving', async () => {
    const response = await fetch(`${lobby.url}/v1/test-only/boom?token=secret-in-query`);
    expect(response.status).toBe(500);
    const problem = await readProblem(response);
    expect(problem).toEqual({
      type: 'https://tickforge.dev/problems/internal',
      title: 'Internal server error',
      status: 500,
    });
    const logged = lobby.logs.join('');
    expect(logged).toContain('handler exploded');
    expect(logged).toContain('/v1/test-only/boom');
    expect(logged).not.toContain('secret-in-query');
    expect((await fetch(`${lobby.url}/health`)).status).toBe(200);
  });

  it('answers a chunked oversized body (no content-length) with 413', async () => {
    const chunk = new TextEncoder().encode(`{"name":"${'a'.repeat(600)}`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${lobby.url}/v1/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    await readProblem(response);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with every registered route', async () => {
    const doc = await (await fetch(`${lobby.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Every route the app actually serves (bar the test-only one) is documented, and nothing more;
    // middleware is mounted on wildcard paths, for all methods or for those with bodies.
    const served = lobby.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*') && !r.path.includes('test-only'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(documented)).toEqual(new Set(served));
    expect(documented).toHaveLength(LOBBY_ROUTES.length);
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const op of Object.values(ops)) expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }
  });

  it('carries the same schemas the routes validate with', async () => {
    const doc = await (await fetch(`${lobby.url}/openapi.json`)).json();
    const plain = (schema: object) => JSON.parse(JSON.stringify(schema));
    expect(doc.components.schemas.GuestRequest).toEqual(plain(GuestRequest));
    expect(doc.components.schemas.GuestResponse).toEqual(plain(GuestResponse));
    expect(doc.components.schemas.Me).toEqual(plain(MeResponse));
    const guest = doc.paths['/v1/auth/guest'].post;
    expect(guest.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/GuestRequest',
    });
    expect(guest.responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(doc.paths['/v1/me'].get.security).toEqual([{ bearer: [] }]);
  });

  it('GET /docs serves a self-contained HTML page that reads /openapi.json', async () => {
    const response = await fetch(`${lobby.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("fetch('/openapi.json')");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
