import type { BoardReset } from './types.ts';

const DAY_MS = 86_400_000;

/** The clock's time, refused unless it is whole milliseconds (records store integer times). */
export function clockTime(now: () => number): number {
  const ms = now();
  if (!Number.isSafeInteger(ms)) throw new RangeError(`clock must return integer milliseconds, got ${ms}`);
  return ms;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * The period a moment falls in, as a key that names it: `all`, `2026-11-22`, `2026-W47` or `2026-11`.
 * A reset is just a new key, so earlier periods stay readable. Weekly keys are ISO 8601 weeks (weeks
 * start on Monday; week 1 holds the year's first Thursday), so `2027-01-01` is in `2026-W53`.
 */
export function periodKey(reset: BoardReset, ms: number): string {
  if (reset === 'never') return 'all';
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new RangeError(`clock returned an unusable time: ${ms}`);
  const year = date.getUTCFullYear();
  const month = pad(date.getUTCMonth() + 1, 2);
  if (reset === 'monthly') return `${pad(year, 4)}-${month}`;
  if (reset === 'daily') return `${pad(year, 4)}-${month}-${pad(date.getUTCDate(), 2)}`;
  // The ISO week-year is the year of this week's Thursday.
  const dayIndex = (date.getUTCDay() + 6) % 7; // Monday = 0
  const midnight = Date.UTC(year, date.getUTCMonth(), date.getUTCDate());
  const thursday = new Date(midnight + (3 - dayIndex) * DAY_MS);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${pad(weekYear, 4)}-W${pad(week, 2)}`;
}
