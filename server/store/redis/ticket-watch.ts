/**
 * Ticket watchers of one store instance. A ticket's one change (searching -> final) is published by
 * the script that makes it, in the same atomic step, on one channel per namespace; each store
 * subscribes once at open, so `watch` is a synchronous registration with no window in which a change
 * could slip by. Watchers hear a change made through their own store as soon as it is made (the
 * store's own echo is skipped) and one made by any other process when its message arrives. After the
 * subscriber reconnects, watched tickets are read again, so a change published while it was away is
 * still heard, once.
 */
import type { Cluster, Redis } from 'ioredis';
import type { TicketRecord } from '../tickets.ts';

type Listener = (ticket: TicketRecord) => void;

interface Watch {
  readonly listeners: Set<Listener>;
  /** The final state was delivered: a ticket changes once, so later news of it is an echo. */
  heard: boolean;
}

export interface TicketWatchOptions {
  /** A connection of its own (a subscribed connection can do nothing else); closed by `close`. */
  readonly subscriber: Redis | Cluster;
  readonly channel: string;
  /** This store instance's id, which its own published changes carry. */
  readonly origin: string;
  /** A ticket decoded from a published message: `final` and one ticket's JSON. */
  readonly decode: (ticket: string, final: string) => TicketRecord;
  /** The ticket as stored now, for catching up after a reconnect. */
  readonly read: (ticketId: string) => Promise<TicketRecord | undefined>;
  /** Errors of the background connection (it reconnects on its own) and of listeners. */
  readonly onError: (error: unknown) => void;
}

/** Watchers by ticket id, fed by this store's own changes and by the channel. */
export class TicketWatchers {
  readonly #options: TicketWatchOptions;
  readonly #watched = new Map<string, Watch>();
  #subscribed = false;

  private constructor(options: TicketWatchOptions) {
    this.#options = options;
  }

  /** Subscribe; resolves once the server has confirmed the subscription. */
  static async open(options: TicketWatchOptions): Promise<TicketWatchers> {
    const watchers = new TicketWatchers(options);
    const { subscriber, channel } = options;
    subscriber.on('error', options.onError);
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) watchers.#onMessage(message);
    });
    subscriber.on('ready', () => {
      if (watchers.#subscribed) watchers.#catchUp().catch(options.onError);
    });
    await subscriber.subscribe(channel);
    watchers.#subscribed = true;
    return watchers;
  }

  watch(ticketId: string, listener: Listener): () => void {
    let watch = this.#watched.get(ticketId);
    if (!watch) {
      watch = { listeners: new Set(), heard: false };
      this.#watched.set(ticketId, watch);
    }
    const listeners = watch.listeners;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#watched.get(ticketId)?.listeners === listeners) {
        this.#watched.delete(ticketId);
      }
    };
  }

  /** Tell the watchers of these tickets of their final state (once per ticket). */
  deliver(tickets: readonly TicketRecord[]): void {
    for (const ticket of tickets) {
      const watch = this.#watched.get(ticket.ticketId);
      if (!watch || watch.heard || ticket.status === 'searching') continue;
      watch.heard = true;
      for (const listener of [...watch.listeners]) {
        try {
          listener(ticket);
        } catch (error) {
          this.#options.onError(error);
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#watched.clear();
    const { subscriber } = this.#options;
    subscriber.removeAllListeners('ready');
    await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /** `origin \n final \n ticket \n ticket ...` (finish-tickets-8.lua). */
  #onMessage(message: string): void {
    if (this.#watched.size === 0) return;
    const [origin, final = '', ...tickets] = message.split('\n');
    if (origin === this.#options.origin) return; // delivered when this store made the change
    try {
      this.deliver(tickets.map((ticket) => this.#options.decode(ticket, final)));
    } catch (error) {
      this.#options.onError(error);
    }
  }

  /** After a reconnect: subscribe again (idempotent), then read what changed meanwhile. */
  async #catchUp(): Promise<void> {
    await this.#options.subscriber.subscribe(this.#options.channel);
    const waiting = [...this.#watched].filter(([, watch]) => !watch.heard).map(([ticketId]) => ticketId);
    const tickets = await Promise.all(waiting.map((ticketId) => this.#options.read(ticketId)));
    this.deliver(tickets.filter((ticket) => ticket !== undefined));
  }
}
