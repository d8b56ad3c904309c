/** Waiting for a seat: matchmaking (with the time searched so far) or joining a room. */
import { button, el } from '../dom.ts';
import { cardScreen } from './layout.ts';

export interface SearchingScreenOptions {
  readonly title: string;
  readonly onCancel: () => void;
}

/** The screen and a function that stops its clock. */
export function searchingScreen(options: SearchingScreenOptions): { element: HTMLElement; dispose(): void } {
  const started = performance.now();
  const elapsed = el('span', { class: 'elapsed' }, '0 s');
  const timer = setInterval(() => {
    elapsed.textContent = `${Math.floor((performance.now() - started) / 1000)} s`;
  }, 250);
  const element = cardScreen(
    'searching-screen',
    el('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    el('h2', {}, options.title),
    el('p', { class: 'hint' }, 'Searching for ', elapsed, ' - open a second tab to play yourself.'),
    button('Cancel', options.onCancel, { testid: 'cancel-search' }),
  );
  return { element, dispose: () => clearInterval(timer) };
}
