/** The frame every screen outside the arena shares: the backdrop, the brand and one card. */
import { type Child, el } from '../dom.ts';

/** A full-window screen with the brand and `children` in a card. */
export function cardScreen(testid: string, ...children: Child[]): HTMLElement {
  return el(
    'section',
    { class: 'screen card-screen', testid },
    el(
      'div',
      { class: 'card' },
      el(
        'header',
        { class: 'brand' },
        el('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }),
        el('span', {}, 'Tickforge ', el('em', {}, 'arena')),
      ),
      ...children,
    ),
  );
}

/** A line for errors and notices under a form; empty until `show` is called. */
export function noticeLine(testid: string): {
  element: HTMLElement;
  show(text: string, error?: boolean): void;
} {
  const element = el('p', { class: 'notice', testid, attrs: { role: 'status' } });
  return {
    element,
    show(text, error = true) {
      element.textContent = text;
      element.classList.toggle('error', error && text !== '');
    },
  };
}
