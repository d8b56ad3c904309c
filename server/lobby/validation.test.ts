import { Type } from '@sinclair/typebox';
import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { installProblemHandlers } from './problem.ts';
import type { LobbyEnv } from './types.ts';
import { validate, validateUrl } from './validation.ts';

const Query = Type.Object({ board: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const Params = Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) }, { additionalProperties: false });

function app(): Hono<LobbyEnv> {
  const a = new Hono<LobbyEnv>();
  installProblemHandlers(a, pino({ level: 'silent' }));
  a.get('/q', validate('query', Query), (c) => c.json(c.req.valid('query')));
  a.get('/p/:id', validate('param', Params), (c) => c.json(c.req.valid('param')));
  return a;
}

describe('validate()', () => {
  it('passes a valid query and path through, typed', async () => {
    expect(await (await app().request('/q?board=kills')).json()).toEqual({ board: 'kills' });
    expect(await (await app().request('/p/abc')).json()).toEqual({ id: 'abc' });
  });

  it('names the query or path field at fault', async () => {
    const cases: [string, string][] = [
      ['/q', '/query/board'],
      ['/q?board=a&board=b', '/query/board'],
      ['/q?board=a&extra=1', '/query/extra'],
      ['/p/ABC', '/path/id'],
    ];
    for (const [url, field] of cases) {
      const response = await app().request(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).errors[0].field).toBe(field);
    }
  });
});

describe('validateUrl()', () => {
  function both(): Hono<LobbyEnv> {
    const a = new Hono<LobbyEnv>();
    installProblemHandlers(a, pino({ level: 'silent' }));
    a.get('/b/:id', validateUrl({ param: Params, query: Query }), (c) =>
      c.json({ ...c.req.valid('param'), ...c.req.valid('query') }),
    );
    return a;
  }

  it('passes the path and the query through, typed, ignoring empty & parts', async () => {
    expect(await (await both().request('/b/abc?board=kills')).json()).toEqual({ id: 'abc', board: 'kills' });
    expect(await (await both().request('/b/abc?&board=kills&')).json()).toEqual({
      id: 'abc',
      board: 'kills',
    });
  });

  it('checks the path first, then the query, naming the field at fault', async () => {
    const cases: [string, string][] = [
      ['/b/ABC?extra=1', '/path/id'],
      ['/b/abc', '/query/board'],
      ['/b/abc?board=a&board=b', '/query/board'],
      ['/b/abc?board=a&&board=b', '/query/board'],
      ['/b/abc?board=a&extra=1', '/query/extra'],
    ];
    for (const [url, field] of cases) {
      const response = await both().request(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).errors[0].field).toBe(field);
    }
  });
});
