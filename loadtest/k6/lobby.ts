/**
 * k6 load test of the lobby's REST API. One iteration is one player's visit to the lobby: sign in
 * as a guest, read the leaderboard's top and a player's neighbourhood, list the rooms, then queue
 * for a match and poll the ticket until it is matched. `PROFILE` picks the load shape (profiles.ts);
 * loadtest/README.md lists every variable.
 *
 *   npm run loadtest:lobby -- -e LOBBY_URL=https://lobby.example.com -e PROFILE=constant -e RATE=50
 */
import { envChoice, envFlag, envNumber, envString, envUrl } from './lib/env.ts';
import { K6LobbyClient } from './lib/lobby.ts';
import { matchmake } from './lib/matchmaking.ts';
import { LOBBY_PROFILES, lobbyLoadFromEnv, lobbyOptions } from './profiles.ts';

const LOBBY_URL = envUrl('LOBBY_URL', 'http://localhost:2568', ['http', 'https']);
const BOARD = envString('BOARD', 'arena');
const MODE = envString('MODE', 'arena');
/** Queue for a match in every iteration (0 to load the reads and auth only). */
const MATCHMAKING = envFlag('MATCHMAKING', true);
const POLLING = {
  mode: MODE,
  pollMs: envNumber('POLL_MS', 500, { min: 10 }),
  timeoutMs: envNumber('MATCH_TIMEOUT_S', 30, { min: 1 }) * 1000,
};

export const options = lobbyOptions(
  lobbyLoadFromEnv(envChoice('PROFILE', LOBBY_PROFILES, 'smoke'), MATCHMAKING),
);

const lobby = new K6LobbyClient(LOBBY_URL);

export default function (): void {
  // A new visitor per iteration; names are 1-24 characters.
  const guest = lobby.guest(`k6-${__VU}-${__ITER % 1000}`);
  if (guest === undefined) return;
  const top = lobby.top(BOARD, 10);
  // "Around me" as one of the listed players sees it: a fresh guest has no record to be around.
  const someone =
    top !== undefined && top.length > 0 ? top[Math.floor(Math.random() * top.length)] : undefined;
  lobby.around(BOARD, someone?.playerId ?? guest.playerId, 10);
  lobby.rooms(guest.accessToken, MODE, 20);
  if (MATCHMAKING) matchmake(lobby, guest.accessToken, POLLING);
}
