/**
 * Input -> ack latency for one connection, shared by the Node bots and the k6 gameplay script.
 * Plain ECMAScript (no Node or k6 API) so both runtimes run the same code.
 */

/**
 * Send times of inputs not yet acknowledged, in seq order. Every state message carries the highest
 * input seq the server has applied; the first one that reaches an input's seq times that input (and
 * every earlier one still pending). Seqs only grow, so this is a queue with a moving head.
 */
export class AckTimer {
  readonly #sentAt: number[] = [];
  #head = 0;
  /** Seq of the input at #head. */
  #nextSeq: number;

  /** `firstSeq`: the seq the next sent input carries (1 on a first join, WELCOME's lastSeq + 1 after). */
  constructor(firstSeq = 1) {
    this.#nextSeq = firstSeq;
  }

  /** Inputs sent and not yet acknowledged. */
  get pending(): number {
    return this.#sentAt.length - this.#head;
  }

  /** The next input (seq = previous + 1) was sent at `at` ms. */
  sent(at: number): void {
    this.#sentAt.push(at);
  }

  /** A state message acknowledged inputs up to `ackSeq`; `record` gets each newly acked latency in ms. */
  acked(ackSeq: number, now: number, record: (ms: number) => void): void {
    const sentAt = this.#sentAt;
    while (this.#nextSeq <= ackSeq && this.#head < sentAt.length) {
      record(now - sentAt[this.#head++]!);
      this.#nextSeq++;
    }
    // Drop the consumed prefix now and then rather than shifting on every ack.
    if (this.#head > 1024) {
      sentAt.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
