/**
 * Player controls -> an arena input `{ dx, dy }`: WASD or the arrow keys, and a virtual joystick
 * that appears wherever a finger (or a mouse drag) starts on the play area.
 */
import type { ArenaInput } from '../../server/games/arena/rules.ts';

/** The joystick as drawn, in CSS pixels of the play area. */
export interface Joystick {
  readonly baseX: number;
  readonly baseY: number;
  readonly knobX: number;
  readonly knobY: number;
  /** The knob's full travel from the base. */
  readonly radius: number;
}

const KEYS: Readonly<Record<string, readonly [dx: number, dy: number]>> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

/** Knob travel in CSS pixels; a shorter drag is a slower walk. */
const JOYSTICK_RADIUS = 56;
/** Drags shorter than this are a resting thumb, not a direction. */
const DEAD_ZONE = 0.15;

/** True when a key event belongs to a text field rather than to the game (a toggle's focus does not count). */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target;
  return (
    (target instanceof HTMLInputElement && target.type !== 'checkbox') ||
    target instanceof HTMLTextAreaElement
  );
}

/** Keyboard and touch input for one play area. Call dispose() when leaving it. */
export class Controls {
  readonly #surface: HTMLElement;
  readonly #held = new Set<string>();
  readonly #abort = new AbortController();
  #pointerId: number | undefined;
  #stick: { baseX: number; baseY: number; knobX: number; knobY: number } | undefined;

  /** `surface` is the element touches start on (the canvas); keys are read from the window. */
  constructor(surface: HTMLElement) {
    this.#surface = surface;
    const { signal } = this.#abort;
    window.addEventListener('keydown', (e) => this.#onKey(e, true), { signal });
    window.addEventListener('keyup', (e) => this.#onKey(e, false), { signal });
    // A key released while the window had no focus never sends keyup: forget what was held.
    window.addEventListener('blur', () => this.reset(), { signal });
    surface.addEventListener('pointerdown', (e) => this.#onPointerDown(e), { signal });
    surface.addEventListener('pointermove', (e) => this.#onPointerMove(e), { signal });
    surface.addEventListener('pointerup', (e) => this.#onPointerUp(e), { signal });
    surface.addEventListener('pointercancel', (e) => this.#onPointerUp(e), { signal });
  }

  /** The direction now: keys and joystick added, each component in [-1, 1]. */
  direction(): ArenaInput {
    let dx = 0;
    let dy = 0;
    for (const code of this.#held) {
      const [x, y] = KEYS[code]!;
      dx += x;
      dy += y;
    }
    const stick = this.#stick;
    if (stick) {
      const x = (stick.knobX - stick.baseX) / JOYSTICK_RADIUS;
      const y = (stick.knobY - stick.baseY) / JOYSTICK_RADIUS;
      if (Math.hypot(x, y) >= DEAD_ZONE) {
        dx += x;
        dy += y;
      }
    }
    return { dx: clampUnit(dx), dy: clampUnit(dy) };
  }

  /** The joystick while a drag is on, for drawing. */
  get joystick(): Joystick | undefined {
    return this.#stick ? { ...this.#stick, radius: JOYSTICK_RADIUS } : undefined;
  }

  /** Let go of everything (the page was hidden, the window lost focus). */
  reset(): void {
    this.#held.clear();
    this.#stick = undefined;
    this.#pointerId = undefined;
  }

  dispose(): void {
    this.#abort.abort();
    this.reset();
  }

  #onKey(event: KeyboardEvent, down: boolean): void {
    if (!(event.code in KEYS) || isTyping(event)) return;
    event.preventDefault(); // arrows would scroll the page
    if (down) this.#held.add(event.code);
    else this.#held.delete(event.code);
  }

  #onPointerDown(event: PointerEvent): void {
    if (this.#pointerId !== undefined || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.#pointerId = event.pointerId;
    this.#surface.setPointerCapture(event.pointerId);
    const { x, y } = this.#local(event);
    this.#stick = { baseX: x, baseY: y, knobX: x, knobY: y };
  }

  #onPointerMove(event: PointerEvent): void {
    const stick = this.#stick;
    if (event.pointerId !== this.#pointerId || !stick) return;
    const { x, y } = this.#local(event);
    const dx = x - stick.baseX;
    const dy = y - stick.baseY;
    const length = Math.hypot(dx, dy);
    const scale = length > JOYSTICK_RADIUS ? JOYSTICK_RADIUS / length : 1;
    stick.knobX = stick.baseX + dx * scale;
    stick.knobY = stick.baseY + dy * scale;
  }

  #onPointerUp(event: PointerEvent): void {
    if (event.pointerId !== this.#pointerId) return;
    this.#pointerId = undefined;
    this.#stick = undefined;
  }

  #local(event: PointerEvent): { x: number; y: number } {
    const rect = this.#surface.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }
}

function clampUnit(value: number): number {
  return Math.max(-1, Math.min(1, value));
}
