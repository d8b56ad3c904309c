/**
 * One timer for every bot's inputs. The input period is split into slots and each wake-up sends for
 * one slot's bots, so sends are spread evenly over the period. Due times come from the origin, so
 * there is no drift; a wake-up late by more than a whole period skips the missed slots and counts
 * the inputs it did not send.
 */

const SLOTS = 10;

/** Start sending `inputRate` inputs per second per bot; returns the function that stops it. */
export function startInputClock(
  bots: readonly { sendInput(now: number): void }[],
  inputRate: number,
  onSkipped: (inputs: number) => void,
): () => void {
  const slotMs = 1000 / inputRate / SLOTS;
  const origin = performance.now();
  let k = 0;
  let timer: ReturnType<typeof setTimeout>;
  const wake = () => {
    const now = performance.now();
    const due = Math.floor((now - origin) / slotMs);
    if (due - k > SLOTS) {
      onSkipped(Math.round(((due - k - SLOTS) * bots.length) / SLOTS));
      k = due - SLOTS;
    }
    for (; k <= due; k++) {
      const slot = k % SLOTS;
      for (let i = slot; i < bots.length; i += SLOTS) bots[i]!.sendInput(now);
    }
    timer = setTimeout(wake, Math.max(0, origin + k * slotMs - performance.now()));
  };
  timer = setTimeout(wake, slotMs);
  return () => clearTimeout(timer);
}
