/**
 * A store whose every async failure that means "out of reach" becomes a StoreUnavailableError, so
 * callers (the lobby's one error mapper) tell an outage (503, come back later) from a bug (500)
 * without knowing which store is underneath. Synchronous members (a ticket watch) pass through, and
 * so do members that are not objects (close).
 */
import { StoreUnavailableError } from './errors.ts';
import type { Store } from './types.ts';

/** Wrap every seam of `store`; `unavailable` classifies a failure of the implementation. */
export function guardStore(store: Store, unavailable: (error: unknown) => boolean): Store {
  const translate = (error: unknown): never => {
    throw unavailable(error) ? new StoreUnavailableError(error) : error;
  };
  const guard = <T extends object>(seam: T): T =>
    new Proxy(seam, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, target, args);
          return result instanceof Promise ? result.catch(translate) : result;
        };
      },
    });
  // Every seam, including any a store adds beyond the four every store has; functions (close) as they are.
  const guarded: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(store)) {
    guarded[name] = typeof member === 'object' && member !== null ? guard(member) : member;
  }
  return guarded as unknown as Store;
}
