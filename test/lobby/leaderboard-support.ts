/** A lobby with leaderboards configured: three `best` desc boards, write keys, mode `arena` mapped. */
import type { BoardConfig } from '../../server/store/types.ts';
import { startLobby, type TestLobby } from './support.ts';

/** The game nodes' key of the test lobby. */
export const SERVER_KEY = 'server-key-of-the-game-nodes-at-least-32-bytes';
/** The operators' key of the test lobby. */
export const ADMIN_KEY = 'admin-key-of-the-operators-at-least-32-bytes';
/** `ladder` and `arena` never reset; `arena-daily` starts over at midnight UTC. */
export const BOARDS: readonly BoardConfig[] = [
  { id: 'ladder', sort: 'desc', operator: 'best', reset: 'never' },
  { id: 'arena', sort: 'desc', operator: 'best', reset: 'never' },
  { id: 'arena-daily', sort: 'desc', operator: 'best', reset: 'daily' },
];
/** Prefix of every problem `type`. */
export const PROBLEMS = 'https://tickforge.dev/problems';

/** Start a lobby with BOARDS and both keys; a match of mode `arena` counts on `arena` and `arena-daily`. */
export function startLeaderboardLobby(): Promise<TestLobby> {
  return startLobby({
    boards: BOARDS,
    leaderboardWrites: {
      serverKey: SERVER_KEY,
      adminKey: ADMIN_KEY,
      boardsForMode: (mode) => (mode === 'arena' ? ['arena', 'arena-daily'] : []),
    },
  });
}

/** POST a JSON body, with an Authorization header when given. */
export function postWith(url: string, body: unknown, authorization?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
}
