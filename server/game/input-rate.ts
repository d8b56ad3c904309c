/**
 * A token bucket per client: `ratePerSecond` inputs on average, bursts up to `burst`. Inputs over
 * the rate are dropped; a client that keeps sending at more than twice the rate for a second is a
 * flood and gets closed.
 */
export class InputRate {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #refilledAt: number;
  /** Inputs dropped since `#windowStart`; the flood check looks at one-second windows. */
  #droppedInWindow = 0;
  #windowStart: number;

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#refilledAt = nowMs;
    this.#windowStart = nowMs;
  }

  /** 'ok' to accept, 'drop' when over the rate, 'flood' when the client should be closed. */
  take(nowMs: number): 'ok' | 'drop' | 'flood' {
    const elapsed = (nowMs - this.#refilledAt) / 1000;
    this.#refilledAt = nowMs;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'ok';
    }
    if (nowMs - this.#windowStart >= 1000) {
      this.#windowStart = nowMs;
      this.#droppedInWindow = 0;
    }
    this.#droppedInWindow++;
    return this.#droppedInWindow > this.#rate ? 'flood' : 'drop';
  }
}
