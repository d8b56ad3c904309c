import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readProblem, startLobby, TEST_SECRET, type TestLobby } from './support.ts';

let lobby: TestLobby;
beforeAll(async () => {
  lobby = await startLobby({ maxBodyBytes: 1024 });
});
afterAll(async () => {
  await lobby.close();
});

const guest = (body: unknown, raw = false) => postJson(`${lobby.url}/v1/auth/guest`, body, raw);
const me = (authorization?: string) =>
  fetch(`${lobby.url}/v1/me`, { headers: authorization ? { authorization } : {} });

describe('POST /v1/auth/guest', () => {
  it('creates a guest and returns a token that /v1/me accepts', async () => {
    const response = await guest({ name: 'Ada L. 2_x-y' });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toEqual({
      playerId: expect.any(String),
      name: 'Ada L. 2_x-y',
      accessToken: expect.any(String),
      expiresAt: lobby.clock.now + 24 * 60 * 60 * 1000,
    });
    const current = await me(`Bearer ${body.accessToken}`);
    expect(current.status).toBe(200);
    expect(await current.json()).toEqual({
      playerId: body.playerId,
      name: 'Ada L. 2_x-y',
      createdAt: lobby.clock.now,
    });
    expect(lobby.logs.join('')).not.toContain(body.accessToken);
  });

  it('accepts letters beyond ASCII', async () => {
    expect((await guest({ name: 'Zoë 名前' })).status).toBe(201);
  });

  it.each([
    ['empty', ''],
    ['25 characters', 'a'.repeat(25)],
    ['a leading space', ' ada'],
    ['a trailing space', 'ada '],
    ['only spaces', '   '],
    ['a disallowed character', 'ada<script>'],
    ['an emoji', 'ada🙂'],
  ])('refuses a name with %s, naming /body/name', async (_rule, name) => {
    const response = await guest({ name });
    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem).toMatchObject({ status: 400, type: 'https://tickforge.dev/problems/validation' });
    expect(problem.errors?.[0]?.field).toBe('/body/name');
  });

  it('refuses a missing name, a wrong type and an unknown field, naming each', async () => {
    const cases: [unknown, string][] = [
      [{}, '/body/name'],
      [{ name: 42 }, '/body/name'],
      [{ name: 'ada', admin: true }, '/body/admin'],
      [['ada'], '/body'],
    ];
    for (const [body, field] of cases) {
      const response = await guest(body);
      expect(response.status).toBe(400);
      expect((await readProblem(response)).errors?.[0]?.field).toBe(field);
    }
  });

  it('answers invalid JSON with a 400 problem, not a 500', async () => {
    const response = await guest('{"name": "ada"', true);
    expect(response.status).toBe(400);
    expect(await readProblem(response)).toMatchObject({
      type: 'https://tickforge.dev/problems/malformed-json',
    });
  });

  it('answers a non-JSON content type with 415', async () => {
    const response = await fetch(`${lobby.url}/v1/auth/guest`, { method: 'POST', body: 'name=ada' });
    expect(response.status).toBe(415);
    await readProblem(response);
  });

  it('answers an oversized body with 413 before reading it', async () => {
    const response = await guest({ name: 'a'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(await readProblem(response)).toMatchObject({ status: 413, errors: [{ field: '/' }] });
  });
});

describe('GET /v1/me', () => {
  async function expectUnauthorized(authorization?: string): Promise<void> {
    const response = await me(authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await readProblem(response)).toMatchObject({ status: 401 });
  }

  it('refuses a missing, non-bearer or malformed token', async () => {
    await expectUnauthorized();
    await expectUnauthorized('Basic YWRhOnB3');
    await expectUnauthorized('Bearer');
    await expectUnauthorized('Bearer not-a-jwt');
    await expectUnauthorized('Bearer a.b.c');
  });

  it('refuses a token signed with another secret', async () => {
    const { playerId } = await (await guest({ name: 'forged' })).json();
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(playerId)
      .setAudience('tickforge-lobby')
      .setExpirationTime(Math.floor(lobby.clock.now / 1000) + 60)
      .sign(new TextEncoder().encode('another-secret-that-is-32-bytes-long!'));
    await expectUnauthorized(`Bearer ${forged}`);
  });

  it('refuses a token for another audience or an unknown player', async () => {
    const sign = (sub: string, aud: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setAudience(aud)
        .setExpirationTime(Math.floor(lobby.clock.now / 1000) + 60)
        .sign(TEST_SECRET);
    const { playerId } = await (await guest({ name: 'aud' })).json();
    await expectUnauthorized(`Bearer ${await sign(playerId, 'tickforge-game')}`);
    await expectUnauthorized(
      `Bearer ${await sign('00000000-0000-0000-0000-000000000000', 'tickforge-lobby')}`,
    );
  });

  it('refuses an expired token, by the injected clock', async () => {
    const { accessToken } = await (await guest({ name: 'expiring' })).json();
    const start = lobby.clock.now;
    try {
      lobby.clock.now = start + 24 * 60 * 60 * 1000 - 1000;
      expect((await me(`Bearer ${accessToken}`)).status).toBe(200);
      lobby.clock.now = start + 24 * 60 * 60 * 1000 + 1000;
      await expectUnauthorized(`Bearer ${accessToken}`);
    } finally {
      lobby.clock.now = start;
    }
    expect(lobby.logs.join('')).not.toContain(accessToken);
  });
});
