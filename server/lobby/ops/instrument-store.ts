/**
 * The store seam, measured: every call of every area (players, leaderboards, rooms, tickets) is
 * timed and its failures counted, whichever store (embedded or Redis) is underneath, and the calls
 * that are matchmaking events (a seat promised, a ticket matched, expired or cancelled) are counted
 * as such. The wrapper changes no behaviour: values, errors and `this` pass through untouched.
 */
import type { RoomRecord } from '../../store/rooms.ts';
import type { TicketRecord, TicketTransition } from '../../store/tickets.ts';
import type { Store } from '../../store/types.ts';
import type { LobbyMetrics } from './metrics.ts';

const AREAS = ['players', 'leaderboards', 'rooms', 'tickets'] as const;
type Area = (typeof AREAS)[number];

/** A Store whose calls feed `metrics`; `now` dates the match waits (the store's clock). */
export function instrumentStore<S extends Store>(store: S, metrics: LobbyMetrics, now: () => number): S {
  const wrapped = new Map<PropertyKey, unknown>(
    AREAS.map((area) => [area, instrumentArea(area, store[area], metrics, now)]),
  );
  // Any other seam a store adds (a Redis store's shared budgets and leases) passes through as it is.
  return new Proxy(store, {
    get: (target, property) => {
      if (wrapped.has(property)) return wrapped.get(property);
      // Bound to the store itself: its methods may use private fields, which a proxy does not have.
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function instrumentArea<T extends object>(
  area: Area,
  target: T,
  metrics: LobbyMetrics,
  now: () => number,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const found: unknown = Reflect.get(object, property, receiver);
      if (typeof found !== 'function' || typeof property !== 'string') return found;
      const value = found as (...args: unknown[]) => unknown;
      // watch() is a subscription, not a call: it is counted as an open stream instead.
      if (area === 'tickets' && property === 'watch') return watchCounted(value, object, metrics);
      return (...args: unknown[]) => {
        const labels = { area, method: property };
        const stop = metrics.storeSeconds.startTimer(labels);
        let result: unknown;
        try {
          result = value.apply(object, args);
        } catch (error) {
          stop();
          metrics.storeErrors.inc(labels);
          throw error;
        }
        if (!(result instanceof Promise)) {
          stop();
          return result;
        }
        return result.then(
          (resolved: unknown) => {
            stop();
            countEvent(area, property, args, resolved, metrics, now);
            return resolved;
          },
          (error: unknown) => {
            stop();
            metrics.storeErrors.inc(labels);
            throw error;
          },
        );
      };
    },
  });
}

function watchCounted(watch: (...args: unknown[]) => unknown, tickets: object, metrics: LobbyMetrics) {
  return (...args: unknown[]) => {
    const unwatch = watch.apply(tickets, args) as () => void;
    metrics.sseStreams.inc();
    let open = true;
    return () => {
      if (open) metrics.sseStreams.dec();
      open = false;
      unwatch();
    };
  };
}

/** Matchmaking events, read off the store calls that make them happen. */
function countEvent(
  area: Area,
  method: string,
  args: readonly unknown[],
  result: unknown,
  metrics: LobbyMetrics,
  now: () => number,
): void {
  if (area === 'rooms' && (method === 'reserve' || method === 'reserveAll')) {
    const outcome =
      typeof result === 'string' ? result : (result as RoomRecord | undefined) ? 'ok' : 'unknown';
    // reserveAll promises a seat to each of its players, or to none of them.
    const seats = method === 'reserveAll' && Array.isArray(args[1]) ? args[1].length : 1;
    metrics.seatPromises.inc({ outcome }, outcome === 'ok' ? seats : 1);
    return;
  }
  if (area !== 'tickets' || method !== 'finish' || !Array.isArray(result)) return;
  const finished = result as readonly TicketRecord[];
  const transition = args[1] as TicketTransition;
  const first = finished[0];
  if (!first) return;
  const region = metrics.region(first.region);
  if (transition.status === 'matched') {
    metrics.matchesFormed.inc({ mode: first.mode, region });
    const at = now();
    for (const ticket of finished) {
      metrics.matchWait.observe({ mode: ticket.mode, region }, Math.max(0, at - ticket.createdAt) / 1000);
    }
    return;
  }
  metrics.ticketsEnded.inc({ mode: first.mode, region, outcome: transition.status }, finished.length);
}
