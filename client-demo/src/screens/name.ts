/** First screen: pick a display name, which signs the player in as a guest. */
import { el, errorText } from '../dom.ts';
import { cardScreen, noticeLine } from './layout.ts';

/** The lobby's display name rule (server/lobby/contracts/auth.ts), checked before asking it. */
const NAME = /^[\p{L}\p{N}_.-](?:[\p{L}\p{N} _.-]*[\p{L}\p{N}_.-])?$/u;

export interface NameScreenOptions {
  readonly initialName: string;
  /** Shown under the field at first, e.g. why the player has to sign in again. */
  readonly notice?: string | undefined;
  /** Sign in; a rejection's message is shown under the field. */
  readonly onSubmit: (name: string) => Promise<void>;
}

export function nameScreen(options: NameScreenOptions): HTMLElement {
  const input = el('input', {
    testid: 'name-input',
    attrs: {
      type: 'text',
      maxlength: '24',
      autocomplete: 'nickname',
      spellcheck: 'false',
      'data-autofocus': '',
    },
  });
  input.value = options.initialName;
  const submit = el(
    'button',
    { class: 'primary', testid: 'name-submit', attrs: { type: 'submit' } },
    'Continue',
  );
  const notice = noticeLine('name-notice');
  if (options.notice) notice.show(options.notice);
  const form = el(
    'form',
    { class: 'stack' },
    el('label', { class: 'field' }, 'Your name', input),
    submit,
    notice.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!NAME.test(name) || name.length > 24) {
      notice.show('1-24 letters, digits, spaces, _ - or .');
      return;
    }
    submit.disabled = true;
    notice.show('');
    options.onSubmit(name).catch((error: unknown) => {
      submit.disabled = false;
      notice.show(errorText(error));
    });
  });
  return cardScreen(
    'name-screen',
    el('h1', {}, 'Collect the orbs.'),
    el(
      'p',
      { class: 'lead' },
      'A real-time multiplayer arena on Tickforge: your own moves are predicted, everyone else glides in on interpolation.',
    ),
    form,
  );
}
