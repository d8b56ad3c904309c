/**
 * When uWebSockets.js suites run. Where it cannot load, natively or from a patched copy (see
 * server/game/transport/uws-addon.ts), they are skipped with the reason printed once, except under
 * CI=true, where they run and fail with that reason: CI must never pass without having tested uWS.js.
 */
import { uwsLoadError } from '../../server/game/transport/load.ts';

/** Why uWebSockets.js cannot load in this process, or undefined when it can. */
export const uwsUnavailable: string | undefined = await uwsLoadError();

const underCi = process.env.CI === 'true';
let announced = false;

/** For `describe.skipIf(skipUws())`: true when uWS.js suites should be skipped here. */
export function skipUws(): boolean {
  if (uwsUnavailable === undefined || underCi) return false;
  if (!announced) {
    announced = true;
    console.warn(`uWS.js tests skipped: ${uwsUnavailable}`);
  }
  return true;
}

/** Call first in a uWS.js suite (e.g. in beforeAll): throws the reason when uWS.js cannot load. */
export function requireUws(): void {
  if (uwsUnavailable !== undefined) {
    throw new Error(`uWS.js must be tested under CI=true but cannot load: ${uwsUnavailable}`);
  }
}
