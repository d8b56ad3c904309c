/**
 * Picks the transport at start-up. uWebSockets.js ships native binaries that some hosts cannot
 * load (glibc too old, an unsupported Node ABI); `auto` then falls back to `ws` and says why in
 * one line, while `uws` refuses to start.
 */
import type { TransportFactory } from './types.ts';

/** Thrown when uWebSockets.js was asked for explicitly and cannot load on this host. */
export class TransportUnavailableError extends Error {
  readonly code = 'transport_unavailable';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

/** The chosen transport; `fallbackReason` is set when `auto` had to settle for `ws`. */
export interface LoadedTransport {
  readonly factory: TransportFactory;
  readonly kind: 'uws' | 'ws';
  readonly fallbackReason?: string;
}

const SILENCE_HINT = 'or set TICKFORGE_TRANSPORT=ws to silence this';

function hostGlibc(): string {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime ?? 'no glibc';
}

/** One line an operator can act on, from the loader's multi-line error. */
function describeLoadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const glibc = /GLIBC_(\d+\.\d+)' not found/.exec(message);
  if (glibc) {
    return (
      `uWebSockets.js needs glibc >= ${glibc[1]} (this host has ${hostGlibc()}): ` +
      `upgrade to Debian 13 / Ubuntu 24.04, ${SILENCE_HINT}`
    );
  }
  if (/Cannot find module .*\.node/.test(message)) {
    const { platform, arch, versions } = process;
    return `uWebSockets.js has no binary for ${platform}-${arch} with Node ${versions.node} (ABI ${versions.modules}): use Node 24, ${SILENCE_HINT}`;
  }
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  return `uWebSockets.js failed to load (${lines.at(-1)?.trim() ?? 'unknown error'}), ${SILENCE_HINT}`;
}

let loadError: Promise<string | undefined> | undefined;

/** Why uWebSockets.js cannot load here, or undefined when it loads. Tried once per process. */
export function uwsLoadError(): Promise<string | undefined> {
  loadError ??= import('uWebSockets.js').then(
    () => undefined,
    (error: unknown) => describeLoadError(error),
  );
  return loadError;
}

/** The transport for `preference` (TICKFORGE_TRANSPORT); `auto` prefers uWebSockets.js. */
export async function loadTransport(preference: 'auto' | 'uws' | 'ws'): Promise<LoadedTransport> {
  if (preference === 'ws') return { factory: await wsFactory(), kind: 'ws' };
  const reason = await uwsLoadError();
  if (reason === undefined) {
    const { createUwsTransport } = await import('./uws.ts');
    return { factory: createUwsTransport, kind: 'uws' };
  }
  if (preference === 'uws') throw new TransportUnavailableError(`transport uws is unavailable: ${reason}`);
  return { factory: await wsFactory(), kind: 'ws', fallbackReason: reason };
}

/** The ws transport, loaded only when it is used so a uWS.js node does not carry it. */
async function wsFactory(): Promise<TransportFactory> {
  return (await import('./ws.ts')).createWsTransport;
}
