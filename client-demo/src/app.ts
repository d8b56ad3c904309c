/**
 * The demo's screen flow: name -> menu -> (matchmaking | private room) -> arena -> results ->
 * leaderboard. One screen at a time; leaving a screen disposes what it started (timers, the
 * match's socket), so nothing from an old screen outlives it.
 */

import { type GuestSession, type LobbyClient, LobbyError } from '../../shared/client/index.ts';
import { ArenaMatch } from './arena-match.ts';
import { ArenaView } from './arena-view.ts';
import { errorText } from './dom.ts';
import { forgetGuest, guestName, loadGuest, saveGuest } from './guest-session.ts';
import { type BoardView, leaderboardScreen } from './screens/leaderboard.ts';
import { menuScreen } from './screens/menu.ts';
import { nameScreen } from './screens/name.ts';
import { resultsCard } from './screens/results.ts';
import { searchingScreen } from './screens/searching.ts';
import { createPrivateRoom, joinByCode, matchmake, type Seat } from './seats.ts';

/** The boards the leaderboard page offers (the lobby's defaults, TICKFORGE_LEADERBOARDS). */
const BOARDS = [
  { id: 'arena', label: 'All time' },
  { id: 'arena-weekly', label: 'This week' },
] as const;

/** How a player asked for a seat. */
type SeatRequest =
  | { readonly kind: 'matchmaking' }
  | { readonly kind: 'create' }
  | { readonly kind: 'join'; readonly code: string };

/** The demo application on one root element. */
export class App {
  readonly #root: HTMLElement;
  readonly #lobby: LobbyClient;
  #guest: GuestSession | undefined;
  #match: ArenaMatch | undefined;
  #screen = 'boot';
  #leave: (() => void) | undefined;

  constructor(root: HTMLElement, lobby: LobbyClient) {
    this.#root = root;
    this.#lobby = lobby;
  }

  /** The screen shown (for the debug handle). */
  get screen(): string {
    return this.#screen;
  }

  /** The match on screen, if any. */
  get match(): ArenaMatch | undefined {
    return this.#match;
  }

  get guest(): GuestSession | undefined {
    return this.#guest;
  }

  /** Show the first screen: the menu for a guest already signed in in this tab, else the name. */
  start(): void {
    const guest = loadGuest();
    if (guest) {
      this.#signedIn(guest);
      this.#menu();
    } else {
      this.#name();
    }
  }

  #show(screen: string, element: HTMLElement, leave?: () => void): void {
    const previous = this.#leave;
    this.#leave = undefined;
    previous?.();
    this.#screen = screen;
    this.#root.replaceChildren(element);
    // Not the autofocus attribute: browsers apply it once per document, not per screen.
    const focus = element.querySelector<HTMLElement>('[data-autofocus]');
    focus?.focus();
    if (focus instanceof HTMLInputElement) focus.select();
    this.#leave = leave;
  }

  #signedIn(guest: GuestSession): void {
    this.#guest = guest;
    this.#lobby.accessToken = guest.accessToken;
  }

  #name(notice?: string): void {
    const screen = nameScreen({
      initialName: this.#guest?.name ?? guestName(),
      notice,
      onSubmit: async (name) => {
        const guest = await this.#lobby.signInAsGuest(name);
        saveGuest(guest);
        this.#signedIn(guest);
        this.#menu();
      },
    });
    this.#show('name', screen);
  }

  #menu(notice?: string): void {
    const guest = this.#guest;
    if (!guest) {
      this.#name();
      return;
    }
    this.#show(
      'menu',
      menuScreen({
        name: guest.name,
        notice,
        onPlay: () => void this.#play({ kind: 'matchmaking' }),
        onCreateRoom: () => void this.#play({ kind: 'create' }),
        onJoinRoom: (code) => void this.#play({ kind: 'join', code }),
        onLeaderboard: () => this.#leaderboard(false),
        onChangeName: () => {
          forgetGuest();
          this.#name();
        },
      }),
    );
  }

  /** Get a seat the way the player asked, then join the match. */
  async #play(request: SeatRequest): Promise<void> {
    const abort = new AbortController();
    const title =
      request.kind === 'matchmaking'
        ? 'Finding a match...'
        : request.kind === 'create'
          ? 'Creating a room...'
          : `Joining room ${request.code}...`;
    const searching = searchingScreen({
      title,
      onCancel: () => {
        abort.abort(new DOMException('cancelled', 'AbortError'));
        this.#menu();
      },
    });
    this.#show('searching', searching.element, () => {
      searching.dispose();
      abort.abort(new DOMException('left the screen', 'AbortError'));
    });
    let seat: Seat;
    try {
      seat =
        request.kind === 'matchmaking'
          ? await matchmake(this.#lobby, abort.signal)
          : request.kind === 'create'
            ? await createPrivateRoom(this.#lobby)
            : await joinByCode(this.#lobby, request.code);
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#refused(error);
      return;
    }
    if (abort.signal.aborted) return;
    await this.#arena(seat, abort.signal);
  }

  /** A lobby refusal: sign in again when the token is no good, else back to the menu with why. */
  #refused(error: unknown): void {
    if (error instanceof LobbyError && error.status === 401) {
      forgetGuest();
      this.#guest = undefined;
      this.#name('Your session has expired: pick a name to play again.');
    } else {
      this.#menu(errorText(error));
    }
  }

  async #arena(seat: Seat, signal: AbortSignal): Promise<void> {
    let match: ArenaMatch;
    try {
      match = await ArenaMatch.join(seat.reservation);
    } catch (error) {
      if (!signal.aborted) this.#menu(`Could not join the match: ${errorText(error)}`);
      return;
    }
    if (signal.aborted) {
      match.close();
      return;
    }
    const view = new ArenaView(match, { code: seat.code });
    this.#show('arena', view.element, () => {
      this.#match = undefined;
      view.dispose();
      match.close();
    });
    this.#match = match;
    match.on('matchEnd', (results) => {
      if (this.#match !== match) return;
      this.#screen = 'results';
      view.showOverlay(
        resultsCard({
          results,
          playerId: match.playerId,
          onLeaderboard: () => this.#leaderboard(true),
          onPlayAgain: () => void this.#play({ kind: 'matchmaking' }),
          onMenu: () => this.#menu(),
        }),
      );
    });
    match.on('status', (status) => {
      // The seat is gone before the match ended (the grace period ran out, the room closed).
      if (status.state === 'closed' && this.#match === match && !match.results) {
        this.#menu(`The match connection was lost (${status.detail || status.reason}).`);
      }
    });
  }

  #leaderboard(awaitPlayer: boolean): void {
    const guest = this.#guest;
    if (!guest) {
      this.#name();
      return;
    }
    const screen = leaderboardScreen({
      boards: BOARDS,
      playerId: guest.playerId,
      awaitPlayer,
      load: (boardId) => this.#board(boardId, guest.playerId),
      onBack: () => this.#menu(),
      onPlay: () => void this.#play({ kind: 'matchmaking' }),
    });
    this.#show('leaderboard', screen.element, screen.dispose);
  }

  async #board(boardId: string, playerId: string): Promise<BoardView> {
    const [top, around] = await Promise.all([
      this.#lobby.topRecords(boardId, { limit: 10 }),
      this.#lobby.recordsAround(boardId, playerId, { limit: 5 }),
    ]);
    // A player with no record yet gets an empty window: that is "no record", not a failure.
    return { top: top.records, around: around.records.length > 0 ? around.records : undefined };
  }
}
