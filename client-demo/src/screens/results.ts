/** The end of a match: the ranked results over the arena, and where to go next. */
import type { MatchResultLine } from '../arena-match.ts';
import { button, el } from '../dom.ts';

export interface ResultsOptions {
  readonly results: readonly MatchResultLine[];
  readonly playerId: string;
  readonly onLeaderboard: () => void;
  readonly onPlayAgain: () => void;
  readonly onMenu: () => void;
}

const MEDALS = ['gold', 'silver', 'bronze'];

/** The player's outcome in a few words; results are ranked best first. */
function headline(results: readonly MatchResultLine[], playerId: string): string {
  const mine = results.find((r) => r.playerId === playerId);
  if (!mine || results.length === 0) return 'Match over';
  const best = results[0]!.score;
  const ahead = results.filter((r) => r.score > mine.score).length;
  if (mine.score < best) return `You placed #${ahead + 1} of ${results.length}`;
  return results.filter((r) => r.score === best).length > 1 ? 'A tie for first!' : 'You win!';
}

export function resultsCard(options: ResultsOptions): HTMLElement {
  const { results, playerId } = options;
  return el(
    'div',
    { class: 'card results', testid: 'results' },
    el('p', { class: 'eyebrow' }, 'Match over'),
    el('h2', { testid: 'results-headline' }, headline(results, playerId)),
    el(
      'ol',
      { class: 'ranking', testid: 'results-list' },
      ...results.map((r, i) =>
        el(
          'li',
          { class: [r.playerId === playerId ? 'me' : '', MEDALS[i] ?? ''].join(' ').trim() },
          el('span', { class: 'rank' }, String(i + 1)),
          el('span', { class: 'name' }, r.name),
          el('b', { class: 'score' }, String(r.score)),
        ),
      ),
    ),
    el(
      'div',
      { class: 'row' },
      button('Play again', options.onPlayAgain, { class: 'primary', testid: 'play-again' }),
      button('Leaderboard', options.onLeaderboard, { testid: 'results-leaderboard' }),
      button('Menu', options.onMenu, { class: 'link', testid: 'results-menu' }),
    ),
  );
}
