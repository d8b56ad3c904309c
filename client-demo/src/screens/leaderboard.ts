/**
 * The leaderboard page: a board's top records and the records around the player, with a tab per
 * board. Right after a match the game node's report may still be on its way to the lobby, so the
 * page re-reads for a while until the player's record shows up.
 */
import type { LeaderboardRecord } from '../../../shared/client/index.ts';
import { button, el, errorText, replaceChildren } from '../dom.ts';
import { cardScreen, noticeLine } from './layout.ts';

/** One board as the page reads it; `around` is undefined when the player has no record there. */
export interface BoardView {
  readonly top: readonly LeaderboardRecord[];
  readonly around: readonly LeaderboardRecord[] | undefined;
}

export interface LeaderboardOptions {
  readonly boards: readonly { readonly id: string; readonly label: string }[];
  readonly playerId: string;
  readonly load: (boardId: string) => Promise<BoardView>;
  /** Keep re-reading until the player is on the board (a match just ended). */
  readonly awaitPlayer: boolean;
  readonly onBack: () => void;
  readonly onPlay: () => void;
}

const RETRY_MS = 700;
const RETRY_FOR_MS = 15_000;

function table(testid: string, records: readonly LeaderboardRecord[], playerId: string): HTMLElement {
  return el(
    'ol',
    { class: 'ranking', testid },
    ...records.map((r) =>
      el(
        'li',
        { class: r.playerId === playerId ? 'me' : '' },
        el('span', { class: 'rank' }, String(r.rank)),
        el('span', { class: 'name' }, r.name),
        el('b', { class: 'score' }, String(r.score)),
      ),
    ),
  );
}

/** The screen and a function that stops its re-reading. */
export function leaderboardScreen(options: LeaderboardOptions): { element: HTMLElement; dispose(): void } {
  const { playerId } = options;
  const body = el('div', { class: 'boards' });
  const notice = noticeLine('leaderboard-notice');
  const tabs = el('div', { class: 'tabs', attrs: { role: 'tablist' } });
  let board = options.boards[0]!.id;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const deadline = performance.now() + (options.awaitPlayer ? RETRY_FOR_MS : 0);

  const render = (view: BoardView) => {
    replaceChildren(
      body,
      el('h3', {}, 'Top 10'),
      view.top.length > 0
        ? table('leaderboard-top', view.top, playerId)
        : el('p', { class: 'hint', testid: 'leaderboard-top' }, 'No records yet: be the first.'),
      el('h3', {}, 'Around you'),
      view.around
        ? table('leaderboard-around', view.around, playerId)
        : el('p', { class: 'hint', testid: 'leaderboard-around' }, 'Finish a match to get on this board.'),
    );
  };

  const load = async () => {
    clearTimeout(timer);
    const reading = board;
    try {
      const view = await options.load(reading);
      if (disposed || reading !== board) return;
      render(view);
      const waiting = view.around === undefined && performance.now() < deadline;
      notice.show(waiting ? 'Recording your score...' : '', false);
      if (waiting) timer = setTimeout(() => void load(), RETRY_MS);
    } catch (error) {
      if (!disposed) notice.show(errorText(error));
    }
  };

  const selectTab = (id: string) => {
    board = id;
    for (const tab of tabs.children)
      tab.classList.toggle('active', (tab as HTMLElement).dataset.board === id);
    void load();
  };
  for (const { id, label } of options.boards) {
    const tab = button(label, () => selectTab(id), {
      class: 'tab',
      testid: `board-${id}`,
      attrs: { role: 'tab' },
    });
    tab.dataset.board = id;
    tabs.append(tab);
  }
  selectTab(board);

  const element = cardScreen(
    'leaderboard-screen',
    el('h2', {}, 'Leaderboard'),
    tabs,
    body,
    notice.element,
    el(
      'div',
      { class: 'row' },
      button('Play', options.onPlay, { class: 'primary', testid: 'leaderboard-play' }),
      button('Refresh', () => void load(), { testid: 'leaderboard-refresh' }),
      button('Back', options.onBack, { class: 'link', testid: 'leaderboard-back' }),
    ),
  );
  return {
    element,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
