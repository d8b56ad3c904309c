/**
 * k6 load test of gameplay over binary WebSockets. Each VU is a player: it signs in as a guest, gets
 * a seat from the lobby (a matchmaking ticket polled until matched, or the room list; `SEAT_SOURCE`),
 * opens the game socket with it, sends an input every tick, decodes every state message with the
 * project's protocol code and records what a player would feel (time to the first snapshot, state
 * rate, bytes, input -> ack latency, disconnects). When the session ends it queues again.
 * `PROFILE` picks smoke, load, soak or spike (profiles.ts); loadtest/README.md lists every variable.
 *
 *   npm run loadtest:gameplay -- -e LOBBY_URL=https://lobby.example.com -e PROFILE=load -e PLAYERS=256
 */
import { sleep } from 'k6';
import { envChoice, envNumber, envString, envUrl } from './lib/env.ts';
import { sessionFailed } from './lib/gameplay-metrics.ts';
import { K6LobbyClient } from './lib/lobby.ts';
import { play } from './lib/play.ts';
import { SEAT_SOURCES, type SeatConfig, takeSeat } from './lib/seat.ts';
import { GAMEPLAY_PROFILES, gameplayLoadFromEnv, gameplayOptions } from './profiles.ts';

const SEATS: SeatConfig = {
  source: envChoice('SEAT_SOURCE', SEAT_SOURCES, 'matchmaking'),
  mode: envString('MODE', 'arena'),
  gameUrl: envUrl('GAME_URL', 'http://localhost:2567', ['http', 'https']),
  pollMs: envNumber('POLL_MS', 500, { min: 10 }),
  matchTimeoutMs: envNumber('MATCH_TIMEOUT_S', 60, { min: 1 }) * 1000,
};
const LOAD = gameplayLoadFromEnv(
  envChoice('PROFILE', GAMEPLAY_PROFILES, 'smoke'),
  SEATS.source === 'matchmaking',
);
const PLAY = { sessionMs: LOAD.sessionSeconds * 1000, pingMs: LOAD.pingMs };

export const options = gameplayOptions(LOAD);

const lobby = new K6LobbyClient(envUrl('LOBBY_URL', 'http://localhost:2568', ['http', 'https']));

export default function (): void {
  const seat = takeSeat(SEATS, lobby, `k6-${__VU}`);
  if (seat === undefined) {
    sessionFailed.add(true);
    // Back off instead of hammering a lobby that just said no.
    sleep(1);
    return;
  }
  play(seat, PLAY);
}

// For test/loadtest: the tests replay recorded server frames through this bundle's own protocol
// code, so the decoder k6 runs is the one they cover. k6 ignores exports it is not told to run.
export { GameSession } from './lib/game-session.ts';
