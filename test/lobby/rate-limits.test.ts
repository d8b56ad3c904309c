/** Request budgets over real HTTP: 429 problem+json with Retry-After, per IP, per guest sign-up, per player. */
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, readProblem, signUp, startLobby, type TestLobby } from './support.ts';

let lobby: TestLobby | undefined;
afterEach(async () => {
  await lobby?.close();
  lobby = undefined;
});

const start = (limits: { ip?: number; player?: number; guest?: number }) =>
  startLobby({
    rateLimits: {
      ipPerMinute: limits.ip ?? 0,
      playerPerMinute: limits.player ?? 0,
      guestPerMinute: limits.guest ?? 0,
      trustProxy: true,
    },
  });

async function expectLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(await readProblem(response)).toMatchObject({
    status: 429,
    type: 'https://tickforge.dev/problems/rate-limited',
  });
}

describe('rate limits', () => {
  it('limits every /v1 request per client IP; another IP has its own budget', async () => {
    lobby = await start({ ip: 3 });
    const board = (ip: string) =>
      fetch(`${lobby!.url}/v1/leaderboards/none/top`, { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i++) expect((await board('10.0.0.1')).status).toBe(404);
    await expectLimited(await board('10.0.0.1'));
    expect((await board('10.0.0.2')).status).toBe(404);
    // Behind the proxy only its own, last, entry counts: a client cannot pick a fresh address.
    await expectLimited(await board('1.2.3.4, 10.0.0.1'));
    // Probes and docs are not budgeted.
    expect((await fetch(`${lobby.url}/health`)).status).toBe(200);
  });

  it('limits guest sign-ups per IP (each one stores an account)', async () => {
    lobby = await start({ guest: 2 });
    const guest = () => postJson(`${lobby!.url}/v1/auth/guest`, { name: 'ada' });
    expect((await guest()).status).toBe(201);
    expect((await guest()).status).toBe(201);
    await expectLimited(await guest());
  });

  it('limits each player on authenticated routes, independently of others on the same IP', async () => {
    lobby = await start({ player: 2 });
    const ada = await signUp(lobby, 'ada');
    const bo = await signUp(lobby, 'bo');
    expect((await ada.call('GET', '/v1/me')).status).toBe(200);
    expect((await ada.call('GET', '/v1/me')).status).toBe(200);
    await expectLimited(await ada.call('GET', '/v1/me'));
    expect((await bo.call('GET', '/v1/me')).status).toBe(200);
  });

  it('counts requests before their body is read, so floods of bad bodies are limited too', async () => {
    lobby = await start({ ip: 2 });
    const bad = () => postJson(`${lobby!.url}/v1/auth/guest`, '{not json', true);
    expect((await bad()).status).toBe(400);
    expect((await bad()).status).toBe(400);
    await expectLimited(await bad());
  });
});
