/**
 * The arena screen's loop: every animation frame it runs the local ticks that are due (one input
 * per room tick, on a fixed-step accumulator), then draws the match and refreshes the HUD.
 */
import type { ArenaMatch } from './arena-match.ts';
import { Controls, isTyping } from './controls.ts';
import { el } from './dom.ts';
import { Hud } from './hud.ts';
import { Renderer } from './renderer.ts';
import { TrafficMeter } from './traffic-meter.ts';

/**
 * Local ticks run per frame at most: after a stall (a hidden tab, a slow frame) the backlog is
 * dropped instead of sent as a burst the server would refuse as over its input rate.
 */
const MAX_STEPS_PER_FRAME = 4;

/** The arena on screen for one match. */
export class ArenaView {
  readonly element: HTMLElement;
  readonly #match: ArenaMatch;
  readonly #canvas = el('canvas', { class: 'arena', testid: 'arena-canvas' });
  readonly #overlay = el('div', { class: 'overlay' });
  readonly #controls: Controls;
  readonly #renderer: Renderer;
  readonly #hud: Hud;
  readonly #traffic = new TrafficMeter();
  readonly #abort = new AbortController();
  readonly #stepMs: number;
  #frame = 0;
  #last = 0;
  #pending = 0;

  constructor(match: ArenaMatch, options: { readonly code?: string | undefined }) {
    this.#match = match;
    this.#stepMs = 1000 / match.tickRate;
    this.#controls = new Controls(this.#canvas);
    this.#renderer = new Renderer(this.#canvas);
    this.#hud = new Hud({
      code: options.code,
      prediction: match.prediction,
      interpolation: match.interpolation,
      onPrediction: (on) => {
        match.prediction = on;
      },
      onInterpolation: (on) => {
        match.interpolation = on;
      },
      onDrop: () => match.dropConnection(),
    });
    this.element = el(
      'section',
      { class: 'screen arena-screen', testid: 'arena' },
      this.#canvas,
      this.#hud.element,
      this.#overlay,
    );
    const { signal } = this.#abort;
    window.addEventListener('keydown', (e) => this.#onShortcut(e), { signal });
    // A hidden tab gets no animation frames, so it would stop sending inputs while the server kept
    // its last direction: stop the player explicitly instead.
    document.addEventListener(
      'visibilitychange',
      () => {
        if (!document.hidden) return;
        this.#controls.reset();
        match.step({ dx: 0, dy: 0 });
      },
      { signal },
    );
    // Place the field around the HUD whenever the canvas or a HUD box changes size (a resize, a
    // longer scoreboard, the countdown appearing).
    const layout = new ResizeObserver(() => this.#placeField());
    for (const element of [this.#canvas, ...this.#hud.obstacles]) layout.observe(element);
    signal.addEventListener('abort', () => layout.disconnect());
    this.#last = performance.now();
    this.#frame = requestAnimationFrame((now) => this.#tick(now));
  }

  /** Show `content` over the arena (the match results), which keeps drawing underneath. */
  showOverlay(content: HTMLElement): void {
    this.#overlay.replaceChildren(content);
    this.#overlay.classList.add('visible');
  }

  dispose(): void {
    cancelAnimationFrame(this.#frame);
    this.#abort.abort();
    this.#controls.dispose();
  }

  #tick(now: number): void {
    this.#frame = requestAnimationFrame((next) => this.#tick(next));
    const match = this.#match;
    this.#pending += Math.min(now - this.#last, 1000);
    this.#last = now;
    let steps = 0;
    while (this.#pending >= this.#stepMs && steps < MAX_STEPS_PER_FRAME) {
      const input = this.#controls.direction();
      if (input.dx !== 0 || input.dy !== 0) this.#hud.hideHint();
      match.step(input);
      this.#pending -= this.#stepMs;
      steps++;
    }
    if (this.#pending >= this.#stepMs) this.#pending %= this.#stepMs;
    const frame = match.frame(now, this.#pending / this.#stepMs);
    this.#renderer.draw(frame, now, this.#controls.joystick);
    this.#traffic.sample(now, match.client.client?.stats);
    this.#hud.update(
      {
        ping: match.ping,
        tick: match.serverTick,
        bytesPerSecond: this.#traffic.bytesPerSecond,
        status: match.client.status,
        secondsLeft: match.secondsLeft,
        scores: frame.players,
      },
      now,
    );
  }

  #placeField(): void {
    const origin = this.#canvas.getBoundingClientRect();
    this.#renderer.avoid(
      this.#hud.obstacles.map((element) => {
        const box = element.getBoundingClientRect();
        return {
          left: box.left - origin.left,
          top: box.top - origin.top,
          right: box.right - origin.left,
          bottom: box.bottom - origin.top,
        };
      }),
    );
  }

  #onShortcut(event: KeyboardEvent): void {
    if (isTyping(event) || event.repeat) return;
    if (event.code === 'KeyP') this.#hud.flip('prediction');
    else if (event.code === 'KeyI') this.#hud.flip('interpolation');
  }
}
