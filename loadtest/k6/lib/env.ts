/**
 * Typed reads of k6's `__ENV` (`k6 run -e NAME=value`, or the process environment). Each script reads
 * its settings once, in the init context; a bad value throws an error naming the variable, which
 * stops k6 before any VU starts.
 */

/** A setting k6 cannot use; the message names the variable and what it should be. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

function raw(name: string): string | undefined {
  const value = __ENV[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A string setting. */
export function envString(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/** One of a fixed set of words. */
export function envChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = raw(name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new EnvError(`${name} must be one of ${choices.join(', ')}; got "${value}"`);
  }
  return value as T;
}

/** A number, at least `min` (and an integer if asked). */
export function envNumber(
  name: string,
  fallback: number,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number {
  const text = raw(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new EnvError(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}; got "${text}"`);
  }
  return n;
}

/** A flag: 1/true/yes or 0/false/no. */
export function envFlag(name: string, fallback: boolean): boolean {
  const text = raw(name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (text === '1' || text === 'true' || text === 'yes') return true;
  if (text === '0' || text === 'false' || text === 'no') return false;
  throw new EnvError(`${name} must be 1/true/yes or 0/false/no; got "${text}"`);
}

/** A k6 duration such as `30s`, `5m`, `1h30m` or `500ms`. */
export function envDuration(name: string, fallback: string): string {
  const value = raw(name) ?? fallback;
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(value)) {
    throw new EnvError(`${name} must be a duration like 30s, 5m or 1h30m; got "${value}"`);
  }
  return value;
}

/** An absolute URL with one of `schemes`, without a trailing slash. */
export function envUrl(name: string, fallback: string, schemes: readonly string[]): string {
  const value = (raw(name) ?? fallback).replace(/\/+$/, '');
  // k6 has no URL class (only a jslib): a scheme check catches the usual mistakes.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/[^/]/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(scheme)) {
    throw new EnvError(`${name} must be a ${schemes.join(' or ')} URL; got "${value}"`);
  }
  return value;
}
