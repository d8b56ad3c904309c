/**
 * The arena's heads-up display, in DOM over the canvas: network stats (ping, server tick, bytes/s
 * in, connection state), the prediction and interpolation toggles, the countdown, live scores, a
 * private room's join code, and a banner while the connection is being restored. Its boxes
 * (`obstacles`) are what the renderer places the field around, so the HUD never covers the field.
 */
import type { ConnectionStatus } from '../../shared/client/index.ts';
import { button, el, replaceChildren } from './dom.ts';

/** What the HUD shows, read once per frame. */
export interface HudData {
  readonly ping: number | undefined;
  readonly tick: number;
  readonly bytesPerSecond: number;
  readonly status: ConnectionStatus;
  readonly secondsLeft: number | undefined;
  readonly scores: readonly { readonly name: string; readonly score: number; readonly local: boolean }[];
}

export interface HudOptions {
  /** A private room's join code, shown so it can be shared. */
  readonly code?: string | undefined;
  readonly prediction: boolean;
  readonly interpolation: boolean;
  readonly onPrediction: (on: boolean) => void;
  readonly onInterpolation: (on: boolean) => void;
  /** "Pull the cable": drop the socket to watch the reconnect. */
  readonly onDrop: () => void;
}

/** How often the numbers change, in ms: every frame would be unreadable (and needless work). */
const STATS_EVERY_MS = 250;

/** A checkbox styled as a switch, with a keyboard shortcut. */
function toggle(
  label: string,
  key: string,
  checked: boolean,
  testid: string,
  onChange: (on: boolean) => void,
) {
  const input = el('input', { testid, attrs: { type: 'checkbox' } });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  const element = el(
    'label',
    { class: 'switch' },
    input,
    el('span', { class: 'switch-track' }),
    el('span', { class: 'switch-label' }, label, el('kbd', {}, key)),
  );
  return { element, input };
}

function formatBytes(perSecond: number): string {
  return perSecond >= 1024 ? `${(perSecond / 1024).toFixed(1)} KB/s` : `${Math.round(perSecond)} B/s`;
}

function formatClock(seconds: number): string {
  const whole = Math.ceil(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function statusText(status: ConnectionStatus): string {
  switch (status.state) {
    case 'reconnecting':
      return `reconnecting (${status.attempt})`;
    case 'closed':
      return `closed: ${status.reason.replace('_', ' ')}`;
    default:
      return status.state;
  }
}

/** The HUD of one arena view. */
export class Hud {
  readonly element: HTMLElement;
  readonly #ping = el('b', { testid: 'hud-ping' }, '-');
  readonly #tick = el('b', { testid: 'hud-tick' }, '-');
  readonly #bytes = el('b', { testid: 'hud-bytes' }, '-');
  readonly #connection = el('span', { class: 'pill', testid: 'hud-connection' }, 'connecting');
  readonly #timer = el('div', { class: 'timer', testid: 'countdown' }, '');
  readonly #scores = el('ol', { class: 'scores', testid: 'scoreboard' });
  readonly #banner = el('div', { class: 'banner', testid: 'reconnect-banner' });
  readonly #hint = el(
    'p',
    { class: 'hint' },
    'Move with WASD or the arrow keys - or drag anywhere on touch screens',
  );
  readonly #net: HTMLElement;
  readonly #board: HTMLElement;
  readonly #prediction: HTMLInputElement;
  readonly #interpolation: HTMLInputElement;
  readonly #options: HudOptions;
  #statsAt = Number.NEGATIVE_INFINITY;
  #shown = { timer: '', scores: '', state: '' };

  constructor(options: HudOptions) {
    this.#options = options;
    const prediction = toggle(
      'Prediction',
      'P',
      options.prediction,
      'toggle-prediction',
      options.onPrediction,
    );
    const interpolation = toggle(
      'Interpolation',
      'I',
      options.interpolation,
      'toggle-interpolation',
      options.onInterpolation,
    );
    this.#prediction = prediction.input;
    this.#interpolation = interpolation.input;
    const stat = (label: string, value: HTMLElement) =>
      el('div', { class: 'stat' }, el('span', {}, label), value);
    this.#net = el(
      'section',
      { class: 'panel net', testid: 'hud-net' },
      el(
        'div',
        { class: 'stats' },
        stat('ping', this.#ping),
        stat('tick', this.#tick),
        stat('in', this.#bytes),
      ),
      el(
        'div',
        { class: 'state' },
        this.#connection,
        button('Drop connection', options.onDrop, { class: 'link', testid: 'drop-connection' }),
      ),
      el('div', { class: 'toggles' }, prediction.element, interpolation.element),
    );
    this.#board = el(
      'section',
      { class: 'panel board', testid: 'hud-board' },
      options.code
        ? el('div', { class: 'code', testid: 'room-code' }, 'Room code ', el('b', {}, options.code))
        : null,
      this.#scores,
    );
    this.element = el(
      'div',
      { class: 'hud', testid: 'hud' },
      el('div', { class: 'hud-top' }, this.#net, this.#timer, this.#board),
      this.#banner,
      this.#hint,
    );
  }

  /**
   * The boxes the field must stay clear of: the panels, the countdown and the controls hint (the
   * reconnect banner is meant to cover the field while it shows).
   */
  get obstacles(): readonly HTMLElement[] {
    return [this.#net, this.#timer, this.#board, this.#hint];
  }

  /** The player has found the controls: the hint can go. */
  hideHint(): void {
    this.#hint.classList.add('gone');
  }

  /** Flip a toggle from its keyboard shortcut, as a click would. */
  flip(which: 'prediction' | 'interpolation'): void {
    const input = which === 'prediction' ? this.#prediction : this.#interpolation;
    input.checked = !input.checked;
    (which === 'prediction' ? this.#options.onPrediction : this.#options.onInterpolation)(input.checked);
  }

  /** Show `data`; cheap when nothing visible changed. */
  update(data: HudData, now: number): void {
    if (now - this.#statsAt >= STATS_EVERY_MS) {
      this.#statsAt = now;
      this.#ping.textContent = data.ping === undefined ? '-' : `${Math.round(data.ping)} ms`;
      this.#tick.textContent = data.tick >= 0 ? String(data.tick) : '-';
      this.#bytes.textContent = formatBytes(data.bytesPerSecond);
    }
    const state = statusText(data.status);
    if (state !== this.#shown.state) {
      this.#shown.state = state;
      this.#connection.textContent = state;
      this.#connection.dataset.state = data.status.state;
      this.#banner.textContent =
        data.status.state === 'reconnecting' ? 'Connection lost - reconnecting...' : '';
      this.#banner.classList.toggle('visible', data.status.state === 'reconnecting');
    }
    const timer = data.secondsLeft === undefined ? '' : formatClock(data.secondsLeft);
    if (timer !== this.#shown.timer) {
      this.#shown.timer = timer;
      this.#timer.textContent = timer;
      this.#timer.classList.toggle('ending', data.secondsLeft !== undefined && data.secondsLeft <= 10);
    }
    const ranked = [...data.scores].sort((a, b) => b.score - a.score);
    const scores = ranked.map((s) => `${s.local ? '*' : ''}${s.name}:${s.score}`).join('\n');
    if (scores !== this.#shown.scores) {
      this.#shown.scores = scores;
      replaceChildren(
        this.#scores,
        ...ranked.map((s) =>
          el('li', { class: s.local ? 'me' : '' }, el('span', {}, s.name), el('b', {}, String(s.score))),
        ),
      );
    }
  }
}
