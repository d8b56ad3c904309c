/** The main menu: matchmaking, a private room (create, or join by code), the leaderboard. */
import { button, el } from '../dom.ts';
import { cardScreen, noticeLine } from './layout.ts';

/** The lobby's join code alphabet (no 0/O, 1/I/L), six characters. */
const CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/;

export interface MenuScreenOptions {
  readonly name: string;
  /** Shown under the buttons, e.g. why the last match could not start. */
  readonly notice?: string | undefined;
  readonly onPlay: () => void;
  readonly onCreateRoom: () => void;
  readonly onJoinRoom: (code: string) => void;
  readonly onLeaderboard: () => void;
  readonly onChangeName: () => void;
}

export function menuScreen(options: MenuScreenOptions): HTMLElement {
  const notice = noticeLine('menu-notice');
  if (options.notice) notice.show(options.notice);
  const code = el('input', {
    testid: 'join-code',
    attrs: { type: 'text', maxlength: '6', placeholder: 'CODE', autocomplete: 'off', spellcheck: 'false' },
  });
  code.addEventListener('input', () => {
    code.value = code.value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  });
  const join = el(
    'form',
    { class: 'join' },
    code,
    el('button', { attrs: { type: 'submit' }, testid: 'join-room' }, 'Join'),
  );
  join.addEventListener('submit', (event) => {
    event.preventDefault();
    if (CODE.test(code.value)) options.onJoinRoom(code.value);
    else notice.show('A room code is six letters and digits.');
  });
  return cardScreen(
    'menu-screen',
    el(
      'p',
      { class: 'greeting' },
      'Playing as ',
      el('b', { testid: 'player-name' }, options.name),
      button('change', options.onChangeName, { class: 'link', testid: 'change-name' }),
    ),
    button('Play', options.onPlay, { class: 'primary big', testid: 'play' }),
    el('p', { class: 'hint' }, 'Matchmaking puts you in a match with whoever else is looking.'),
    el('div', { class: 'divider' }, el('span', {}, 'or play with friends')),
    el(
      'div',
      { class: 'row' },
      button('Create private room', options.onCreateRoom, { testid: 'create-room' }),
      join,
    ),
    button('Leaderboard', options.onLeaderboard, { class: 'link wide', testid: 'open-leaderboard' }),
    notice.element,
  );
}
