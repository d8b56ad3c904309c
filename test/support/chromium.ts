/**
 * When browser tests run. They drive the system's Chromium (Debian's `chromium` package, which
 * .ci/run installs) with playwright-core, which never downloads a browser of its own. Where it is
 * missing they are skipped with the reason printed once, except under CI=true, where they run and
 * fail with that reason: CI must never pass without having run them.
 */
import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The Chromium the tests drive (TEST_CHROMIUM overrides). */
export const CHROMIUM_PATH = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';

function unavailable(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM_PATH} not found (apt-get install chromium, or set TEST_CHROMIUM)`;
  }
}

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumUnavailable: string | undefined = unavailable();

const underCi = process.env.CI === 'true';
let announced = false;

/** For `describe.skipIf(skipChromium())`: true when browser suites should be skipped here. */
export function skipChromium(): boolean {
  if (chromiumUnavailable === undefined || underCi) return false;
  if (!announced) {
    announced = true;
    console.warn(`browser tests skipped: ${chromiumUnavailable}`);
  }
  return true;
}

/** Launch headless Chromium; throws the reason when it is missing (as it must under CI). */
export async function launchChromium(): Promise<Browser> {
  if (chromiumUnavailable !== undefined) {
    throw new Error(`browser tests must run under CI=true but cannot: ${chromiumUnavailable}`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
