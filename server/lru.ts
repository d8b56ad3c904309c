/**
 * A bounded map that forgets its least recently used entries: at `capacity` an eighth of them (at
 * least one) go together. One at a time cost microseconds each once full: V8's Map leaves a
 * deleted entry as a hole until it next rehashes, and finding the first live key walks over every
 * hole left in front of it, thousands between rehashes. One walk per batch pays that once for many.
 */
const EVICTED_SHARE = 8;

export class LruMap<K, V> {
  readonly #capacity: number;
  /** Map order is use order: the first entry is the least recently used. */
  readonly #entries = new Map<K, V>();

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
    this.#capacity = capacity;
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key`, now the most recently used; undefined when not held. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Hold `value` under `key` as the most recently used, forgetting the oldest eighth when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) this.#forgetOldest();
    this.#entries.set(key, value);
  }

  /** Forget `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  #forgetOldest(): void {
    let n = Math.max(1, Math.floor(this.#capacity / EVICTED_SHARE));
    for (const key of this.#entries.keys()) {
      this.#entries.delete(key);
      if (--n === 0) break;
    }
  }
}
