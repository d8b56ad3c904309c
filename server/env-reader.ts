/**
 * Typed reads of environment variables for the config modules: each read names its variable in
 * the ConfigError it throws, so a bad value stops start-up with a message a user can act on.
 */

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment, as process.env gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Readers over one environment; an empty value counts as unset. */
export function reader(env: Env) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    /** Whether the variable is set to something. */
    has: (name: string): boolean => raw(name) !== undefined,
    string: (name: string, fallback: string): string => raw(name) ?? fallback,
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
      }
      return n;
    },
    bool(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(`${name} must be true or false, got "${value}"`);
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
    list(name: string, fallback: readonly string[]): readonly string[] {
      const value = raw(name);
      if (value === undefined) return fallback;
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    },
  };
}

/** What `reader` returns. */
export type EnvReader = ReturnType<typeof reader>;
